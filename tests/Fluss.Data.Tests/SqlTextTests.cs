using Fluss.DuckDB.Sql;

namespace Fluss.Tests.Data;

public sealed class SqlTextTests
{
    private static List<(string, string)> Names(string sql) => SqlText.FindQualifiedNames(sql).Select(n => (n.Schema, n.Name)).ToList();

    [Fact]
    public void FindQualifiedNames_QuotedAndUnquoted_UnquotesAndKeepsSuffixes()
    {
        var sql = "SELECT * FROM shop.orders o JOIN \"Shop\".\"users$lake\" u ON o.uid = u.id, shop.events$changelog";
        Assert.Equal([("shop", "orders"), ("Shop", "users$lake"), ("o", "uid"), ("u", "id"), ("shop", "events$changelog")], Names(sql));
    }

    [Fact]
    public void FindQualifiedNames_InLiteralsAndComments_Ignored()
    {
        var sql = """
            -- shop.hidden1
            /* shop.hidden2 /* nested shop.hidden3 */ still comment shop.hidden4 */
            SELECT 'shop.hidden5', E'it\'s shop.hidden6', $$shop.hidden7$$, $tag$ shop.hidden8 $tag$ FROM shop.visible
            """;
        Assert.Equal([("shop", "visible")], Names(sql));
    }

    [Fact]
    public void FindQualifiedNames_QuotedIdentifierWithEscapes_Unescaped()
    {
        Assert.Equal([("my \"db\"", "t.x")], Names("SELECT 1 FROM \"my \"\"db\"\"\".\"t.x\""));
    }

    [Fact]
    public void FindQualifiedNames_ThreePartNamesAndFunctionCalls_NotTwoPartNames()
    {
        Assert.Empty(Names("SELECT main.fn(1), a.b.c FROM x"));
        Assert.Equal([("db", "t")], Names("SELECT * FROM db . t WHERE 1.5 > 0"));
    }

    [Fact]
    public void RewriteAtParameters_KnownNamesOnly_SameLength()
    {
        var sql = "SELECT @id, '@id', \"@id\", @other, @ abs FROM t WHERE x = @id -- @id";
        var rewritten = SqlText.RewriteAtParameters(sql, new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "id" });
        Assert.Equal("SELECT $id, '@id', \"@id\", @other, @ abs FROM t WHERE x = $id -- @id", rewritten);
        Assert.Equal(sql.Length, rewritten.Length);
    }

    [Fact]
    public void QuoteAndLiteral_EmbeddedQuotes_Doubled()
    {
        Assert.Equal("\"a\"\"b\"", SqlText.Quote("a\"b"));
        Assert.Equal("'it''s'", SqlText.Literal("it's"));
    }
}
