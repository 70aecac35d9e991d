using System.Data;
using System.Data.Common;
using Dapper;
using Fluss.Data;
using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Data;

[Collection(SqlCollection.Name)]
public sealed class FlussDbConnectionTests(SqlFixture fx)
{
    private static readonly (string Name, DataType Type)[] AllTypes =
    [
        ("id", new IntType(false)), ("b", new BooleanType()), ("ti", new TinyIntType()), ("si", new SmallIntType()), ("bi", new BigIntType()),
        ("f", new FloatType()), ("d", new DoubleType()), ("c", new CharType(3)), ("s", new StringType()), ("bin", new BinaryType(2)),
        ("bytes", new BytesType()), ("dec", new DecimalType(12, 2)), ("wide", new DecimalType(38, 10)), ("dt", new DateType()),
        ("tm", new TimeType(3)), ("ts", new TimestampType(3)), ("ts6", new TimestampType(6)), ("ts9", new TimestampType(9)),
        ("ltz", new LocalZonedTimestampType(3)), ("ltz9", new LocalZonedTimestampType(9)),
    ];

    private const long BaseMillis = 1_700_000_000_123;

    /// <summary>Row <paramref name="id"/> of the typed table (Fluss's internal values); odd ids above 100 are all NULL but the id.</summary>
    private static GenericRow TypedRow(int id)
    {
        if (id > 100) return GenericRow.Of([id, .. Enumerable.Repeat<object?>(null, AllTypes.Length - 1)]);
        return GenericRow.Of(id, id % 2 == 0, (sbyte)-id, (short)(id * 100), id * 1_000_000_000_000L, id + 0.5f, id + 0.25, "c" + id, "s" + id,
            new[] { (byte)id, (byte)(id + 1) }, Enumerable.Range(0, id).Select(i => (byte)i).ToArray(),
            FlussDecimal.Parse($"{id}.25", 12, 2), FlussDecimal.Parse($"123456789012345678.12345678{id:D2}", 38, 10),
            20_000 + id, 3_600_000 + id, new TimestampNtz(BaseMillis + id, 0), new TimestampNtz(BaseMillis + id, 456_000),
            new TimestampNtz(BaseMillis + id, 456_789), new TimestampLtz(BaseMillis + id, 0), new TimestampLtz(BaseMillis + id, 456_789));
    }

    /// <summary>The CLR values the reader must return for <see cref="TypedRow"/> (timestamps keep microseconds).</summary>
    private static object?[] Expected(int id)
    {
        if (id > 100) return [id, .. Enumerable.Repeat<object?>(null, AllTypes.Length - 1)];
        var epoch = DateTime.UnixEpoch.Ticks;
        var ms = (BaseMillis + id) * TimeSpan.TicksPerMillisecond;
        return
        [
            id, id % 2 == 0, (sbyte)-id, (short)(id * 100), id * 1_000_000_000_000L, id + 0.5f, id + 0.25, "c" + id, "s" + id,
            new[] { (byte)id, (byte)(id + 1) }, Enumerable.Range(0, id).Select(i => (byte)i).ToArray(),
            decimal.Parse($"{id}.25", System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse($"123456789012345678.12345678{id:D2}", System.Globalization.CultureInfo.InvariantCulture),
            DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + 20_000 + id), new TimeOnly((3_600_000L + id) * TimeSpan.TicksPerMillisecond),
            new DateTime(epoch + ms), new DateTime(epoch + ms + 4560), new DateTime(epoch + ms + 4560),
            new DateTimeOffset(epoch + ms, TimeSpan.Zero), new DateTimeOffset(epoch + ms + 4560, TimeSpan.Zero),
        ];
    }

    [Fact]
    public async Task ExecuteReader_EveryScalarType_ClrTypesAndValuesSameFromLakeAndTail()
    {
        var db = await fx.NewDatabaseAsync("adotypes");
        var path = new TablePath(db, "typed");
        var schema = AllTypes.Aggregate(Schema.NewBuilder(), (b, c) => b.Column(c.Name, c.Type)).Build();
        var table = await fx.CreateTableAsync(path, schema, lake: true, buckets: 2);
        await SqlFixture.AppendAsync(table, [TypedRow(1), TypedRow(2), TypedRow(101)]);
        await fx.TierAsync(path);
        await SqlFixture.AppendAsync(table, [TypedRow(3), TypedRow(4), TypedRow(103)]);

        await using var connection = await fx.OpenDbAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {db}.typed ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.Equal(AllTypes.Select(c => c.Name), Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        Assert.Equal(
            [typeof(int), typeof(bool), typeof(sbyte), typeof(short), typeof(long), typeof(float), typeof(double), typeof(string), typeof(string),
             typeof(byte[]), typeof(byte[]), typeof(decimal), typeof(decimal), typeof(DateOnly), typeof(TimeOnly), typeof(DateTime), typeof(DateTime),
             typeof(DateTime), typeof(DateTimeOffset), typeof(DateTimeOffset)],
            Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType));
        Assert.Equal(
            ["INT", "BOOLEAN", "TINYINT", "SMALLINT", "BIGINT", "FLOAT", "DOUBLE", "STRING", "STRING", "BYTES", "BYTES", "DECIMAL", "DECIMAL",
             "DATE", "TIME", "TIMESTAMP", "TIMESTAMP", "TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_LTZ"],
            Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName));
        var rows = SqlFixture.ReadAll(reader);
        Assert.Equal(new[] { 1, 2, 3, 4, 101, 103 }.Select(Expected), rows);
        foreach (var row in rows.Where(r => r[1] is not null))
        {
            Assert.IsType<DateOnly>(row[13]);
            Assert.Equal(DateTimeKind.Unspecified, ((DateTime)row[15]!).Kind);
            Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)row[18]!).Offset);
        }
    }

    public sealed record Order(long Id, string Customer, decimal Amount, DateTime Stamp, DateTimeOffset Placed, string? Note);

    [Fact]
    public async Task Dapper_TypedListWithParameters_MatchesTheRowsWritten()
    {
        var db = await fx.NewDatabaseAsync("adodapper");
        var path = new TablePath(db, "orders");
        var schema = Schema.NewBuilder()
            .Column("id", new BigIntType(false)).Column("customer", new StringType()).Column("amount", new DecimalType(10, 2))
            .Column("stamp", new TimestampType(3)).Column("placed", new LocalZonedTimestampType(3)).Column("note", new StringType())
            .PrimaryKey("id").Build();
        var table = await fx.CreateTableAsync(path, schema, lake: true);
        GenericRow Row(long id, string customer, string amount, string? note) => GenericRow.Of(id, customer, FlussDecimal.Parse(amount, 10, 2),
            new TimestampNtz(BaseMillis + id, 0), new TimestampLtz(BaseMillis + id, 0), note);
        await SqlFixture.ApplyAsync(table, Enumerable.Range(1, 5).Select(i => (false, Row(i, i % 2 == 0 ? "ann" : "bob", $"{i}.50", null))));
        await fx.TierAsync(path);
        await SqlFixture.ApplyAsync(table, [(false, Row(2, "ann", "99.99", "changed")), (true, Row(4, "", "0", null)), (false, Row(6, "ann", "6.00", "new"))]);

        DbProviderFactories.RegisterFactory(FlussClientFactory.ProviderInvariantName, FlussClientFactory.Instance);
        var factory = DbProviderFactories.GetFactory(FlussClientFactory.ProviderInvariantName);
        await using var connection = factory.CreateConnection()!;
        connection.ConnectionString = fx.ConnectionString;
        await connection.OpenAsync();

        var orders = (await connection.QueryAsync<Order>(
            $"SELECT id, customer, amount, stamp, placed, note FROM {db}.orders WHERE customer = @customer AND amount > @min ORDER BY id",
            new { customer = "ann", min = 1m })).ToList();
        var placed = (long id) => new DateTimeOffset(DateTime.UnixEpoch.Ticks + (BaseMillis + id) * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        Assert.Equal(
        [
            new Order(2, "ann", 99.99m, placed(2).DateTime, placed(2), "changed"),
            new Order(6, "ann", 6.00m, placed(6).DateTime, placed(6), "new"),
        ], orders);
        Assert.Equal(5, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {db}.orders"));
        Assert.Equal(1.50m + 99.99m + 3.50m + 5.50m + 6.00m, await connection.ExecuteScalarAsync<decimal>($"SELECT sum(amount) FROM {db}.orders"));
        Assert.Equal(15L, await connection.ExecuteScalarAsync<long>($"SELECT sum(id) FROM {db}.\"orders$lake\""));
    }

    [Fact]
    public async Task Parameters_NamedPositionalAndNull_BoundByDuckDB()
    {
        await using var connection = await fx.OpenDbAsync();
        await using var named = connection.CreateCommand();
        named.CommandText = "SELECT $a + 1, @b || '!', $a * 2";
        named.Parameters.AddWithValue("a", 41);
        named.Parameters.AddWithValue("@b", "hi");
        await using (var reader = await named.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal((42, "hi!", 82), (reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2)));
        }

        await using var positional = connection.CreateCommand();
        positional.CommandText = "SELECT ? IS NULL, ? + 1";
        positional.Parameters.Add(new FlussDbParameter { Value = DBNull.Value });
        positional.Parameters.Add(new FlussDbParameter { Value = 9L });
        await using (var reader = await positional.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal((true, 10L), (reader.GetBoolean(0), reader.GetInt64(1)));
        }

        named.Parameters.Clear();
        var missing = await Assert.ThrowsAsync<Fluss.DuckDB.FlussSqlException>(() => named.ExecuteReaderAsync());
        Assert.Contains("parameter", missing.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task GetSchema_Tables_ListsFlussTablesWithKindAndRestrictions()
    {
        var db = await fx.NewDatabaseAsync("adoschema");
        await fx.CreateTableAsync(new TablePath(db, "events"), Schema.NewBuilder().Column("id", new IntType(false)).Build(), lake: false, buckets: 2);
        await fx.CreateTableAsync(new TablePath(db, "users"), Schema.NewBuilder().Column("id", new IntType(false)).Column("name", new StringType()).PrimaryKey("id").Build(), lake: true);

        await using var connection = await fx.OpenDbAsync();
        var tables = connection.GetSchema("Tables", [null, db]);
        Assert.Equal(["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "TABLE_KIND", "DATALAKE_ENABLED", "BUCKETS"],
            tables.Columns.Cast<DataColumn>().Select(c => c.ColumnName));
        Assert.Equal(
        [
            ("fluss", db, "events", "BASE TABLE", "LOG", false, 2),
            ("fluss", db, "users", "BASE TABLE", "PRIMARY KEY", true, 3),
        ], tables.Rows.Cast<DataRow>().Select(r => ((string)r[0], (string)r[1], (string)r[2], (string)r[3], (string)r[4], (bool)r[5], (int)r[6])));
        Assert.Single(connection.GetSchema("Tables", [null, db, "USERS"]).Rows);
        Assert.Contains(connection.GetSchema("Tables").Rows.Cast<DataRow>(), r => (string)r["TABLE_SCHEMA"] == db);

        var columns = connection.GetSchema("Columns", [null, db, "users"]);
        Assert.Equal([("id", 1, "INT", "NO", true), ("name", 2, "STRING", "YES", false)],
            columns.Rows.Cast<DataRow>().Select(r => ((string)r["COLUMN_NAME"], (int)r["ORDINAL_POSITION"], (string)r["DATA_TYPE"], (string)r["IS_NULLABLE"], (bool)r["IS_PRIMARY_KEY"])));
        Assert.Throws<ArgumentException>(() => connection.GetSchema("Views"));

        // A lake table's info names its warehouse, as Fluss does: that is how a connection string without
        // 'Lake Warehouse' finds the lake.
        var lakeInfo = await fx.Connection.Admin.GetTableInfoAsync(new TablePath(db, "users"));
        Assert.Equal(fx.Lake.Warehouse, lakeInfo.Properties[Fluss.DuckDB.FlussDuckDBConnection.PaimonWarehouseProperty]);
        Assert.False((await fx.Connection.Admin.GetTableInfoAsync(new TablePath(db, "events"))).Properties.ContainsKey(Fluss.DuckDB.FlussDuckDBConnection.PaimonWarehouseProperty));
    }

    [Fact]
    public void ConnectionString_UnknownKeyOrBadValue_RefusedWithTheKey()
    {
        var unknown = Assert.Throws<ArgumentException>(() => new FlussDbConnection("Bootstrap Servers=h:1;Colour=blue"));
        Assert.Contains("'colour'", unknown.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Bootstrap Servers", unknown.Message, StringComparison.Ordinal);
        var timeout = Assert.Throws<ArgumentException>(() => new FlussDbConnection("Bootstrap Servers=h:1;Request Timeout=soon"));
        Assert.Contains("Request Timeout", timeout.Message, StringComparison.Ordinal);
        var builder = new FlussConnectionStringBuilder("bootstrapservers=h:1;request timeout=2.5");
        Assert.Equal(("h:1", TimeSpan.FromSeconds(2.5)), (builder.BootstrapServers, builder.RequestTimeout));
        var empty = new FlussDbConnection("");
        Assert.Throws<ArgumentException>(() => empty.Open());
        Assert.Equal(ConnectionState.Closed, empty.State);
    }

    [Fact]
    public async Task Connection_OpenCloseAndCommandWithoutOpen_StateAndErrors()
    {
        await using var connection = new FlussDbConnection(fx.ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        Assert.Throws<InvalidOperationException>(() => command.ExecuteScalar());
        await connection.OpenAsync();
        Assert.Equal(ConnectionState.Open, connection.State);
        Assert.Equal(1, Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Throws<NotSupportedException>(() => connection.BeginTransaction());
        await connection.CloseAsync();
        Assert.Equal(ConnectionState.Closed, connection.State);
    }
}
