using CsCheck;
using Fluss.Client.Writer;
using Fluss.Rows;
using Fluss.Tests.Generators;
using Fluss.Types;

namespace Fluss.Tests.Client.Writer;

public class RowValidatorTests
{
    private static readonly RowType Orders = RowType.Of(("id", new IntType(isNullable: false)), ("name", new StringType()), ("amount", new BigIntType()));

    [Fact]
    public void Validate_ValidRow_Passes()
    {
        var validator = new RowValidator(Orders, "shop.orders");
        validator.Validate(GenericRow.Of(1, "a", 10L));
        validator.Validate(GenericRow.Of(2, null, null));
    }

    [Fact]
    public void Validate_NullInNotNullColumn_NamesColumn()
    {
        var error = Assert.Throws<ArgumentException>(() => new RowValidator(Orders, "shop.orders").Validate(GenericRow.Of(null, "a", 1L)));
        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("INT NOT NULL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongValueType_NamesColumnAndTypes()
    {
        var error = Assert.Throws<ArgumentException>(() => new RowValidator(Orders, "shop.orders").Validate(GenericRow.Of(1, "a", 10)));
        Assert.Contains("'amount'", error.Message, StringComparison.Ordinal);
        Assert.Contains("long", error.Message, StringComparison.Ordinal);
        Assert.Contains("Int32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongFieldCount_SaysHowMany()
    {
        var error = Assert.Throws<ArgumentException>(() => new RowValidator(Orders, "shop.orders").Validate(GenericRow.Of(1, "a")));
        Assert.Contains("2 fields", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 columns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NonGenericRowWithWrongValue_NamesColumn()
    {
        var row = new StringEverywhereRow(3);
        var error = Assert.Throws<ArgumentException>(() => new RowValidator(Orders, "shop.orders").Validate(row));
        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NestedColumn_IsNotSupported() =>
        Assert.Throws<NotSupportedException>(() => new RowValidator(RowType.Of(("tags", new ArrayType(new StringType()))), "t"));

    [Fact]
    public void Validate_GeneratedRows_Pass() =>
        RowGenerators.TypeAndRows(maxRows: 5).Sample(x =>
        {
            var validator = new RowValidator(x.Type, "t");
            foreach (var row in x.Rows) validator.Validate(row);
        }, iter: 200);

    [Fact]
    public void Validate_GeneratedRowWithOneWrongValue_NamesThatColumn() =>
        RowGenerators.TypeAndRows(maxRows: 1).Where(x => x.Rows.Length > 0).Sample(x =>
        {
            var row = x.Rows[0];
            var column = x.Type.FieldCount - 1;
            var type = x.Type.GetTypeAt(column);
            row[column] = type is StringType or CharType ? 42 : (object)"not the right type";
            var error = Assert.Throws<ArgumentException>(() => new RowValidator(x.Type, "t").Validate(row));
            Assert.Contains($"'{x.Type.Fields[column].Name}'", error.Message, StringComparison.Ordinal);
        }, iter: 200);

    /// <summary>A row whose every field reads as a string, so typed getters other than GetString fail.</summary>
    private sealed class StringEverywhereRow(int fields) : IRow
    {
        public int FieldCount => fields;
        public bool IsNullAt(int pos) => false;
        public bool GetBoolean(int pos) => throw new InvalidCastException("not a boolean");
        public sbyte GetByte(int pos) => throw new InvalidCastException("not a byte");
        public short GetShort(int pos) => throw new InvalidCastException("not a short");
        public int GetInt(int pos) => throw new InvalidCastException("not an int");
        public long GetLong(int pos) => throw new InvalidCastException("not a long");
        public float GetFloat(int pos) => throw new InvalidCastException("not a float");
        public double GetDouble(int pos) => throw new InvalidCastException("not a double");
        public string GetString(int pos) => "x";
        public byte[] GetBinary(int pos) => throw new InvalidCastException("not bytes");
        public FlussDecimal GetDecimal(int pos, int precision, int scale) => throw new InvalidCastException("not a decimal");
        public TimestampNtz GetTimestampNtz(int pos, int precision) => throw new InvalidCastException("not a timestamp");
        public TimestampLtz GetTimestampLtz(int pos, int precision) => throw new InvalidCastException("not a timestamp");
    }
}
