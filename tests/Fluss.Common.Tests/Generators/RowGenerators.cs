using System.Numerics;
using CsCheck;
using Fluss.Rows;
using Fluss.Types;

namespace Fluss.Tests.Generators;

/// <summary>CsCheck generators of random Fluss scalar types, row types and rows with internal values.</summary>
public static class RowGenerators
{
    /// <summary>Any scalar type, nullable or not, with random parameters.</summary>
    public static readonly Gen<DataType> ScalarType = Gen.Frequency(
        (1, Gen.Const<DataType>(new BooleanType())),
        (1, Gen.Const<DataType>(new TinyIntType())),
        (1, Gen.Const<DataType>(new SmallIntType())),
        (2, Gen.Const<DataType>(new IntType())),
        (2, Gen.Const<DataType>(new BigIntType())),
        (1, Gen.Const<DataType>(new FloatType())),
        (1, Gen.Const<DataType>(new DoubleType())),
        (1, Gen.Int[1, 20].Select(n => (DataType)new CharType(n))),
        (2, Gen.Const<DataType>(new StringType())),
        (1, Gen.Int[1, 20].Select(n => (DataType)new BinaryType(n))),
        (1, Gen.Const<DataType>(new BytesType())),
        (2, Gen.Int[1, 38].SelectMany(p => Gen.Int[0, p].Select(s => (DataType)new DecimalType(p, s)))),
        (1, Gen.Const<DataType>(new DateType())),
        (1, Gen.Int[0, 9].Select(p => (DataType)new TimeType(p))),
        (1, Gen.Int[0, 9].Select(p => (DataType)new TimestampType(p))),
        (1, Gen.Int[0, 9].Select(p => (DataType)new LocalZonedTimestampType(p))))
        .SelectMany(t => Gen.Bool.Select(nullable => t.Copy(nullable)));

    /// <summary>A row type of 1..maxFields scalar fields named c0..cN.</summary>
    public static Gen<RowType> RowTypeGen(int maxFields = 12) =>
        ScalarType.Array[1, maxFields].Select(types => new RowType(types.Select((t, i) => new DataField("c" + i, t, i)).ToArray()));

    /// <summary>A non-null internal value of the given type.</summary>
    public static Gen<object> Value(DataType type) => type switch
    {
        BooleanType => Gen.Bool.Select(b => (object)b),
        TinyIntType => Gen.SByte.Select(b => (object)b),
        SmallIntType => Gen.Short.Select(b => (object)b),
        IntType => Gen.Int.Select(b => (object)b),
        BigIntType => Gen.Long.Select(b => (object)b),
        FloatType => Gen.Float.Select(b => (object)b),
        DoubleType => Gen.Double.Select(b => (object)b),
        CharType c => Text(c.Length),
        StringType => Text(40),
        BinaryType b => Gen.Byte.Array[b.Length].Select(x => (object)x),
        BytesType => Gen.Byte.Array[0, 64].Select(x => (object)x),
        DecimalType d => Decimal(d),
        DateType => Gen.Int[-800_000, 2_900_000].Select(x => (object)x),
        TimeType => Gen.Int[0, 86_399_999].Select(x => (object)x),
        TimestampType t => Gen.Long[-62_135_596_800_000L, 253_402_300_799_999L].SelectMany(ms =>
            Gen.Int[0, 999_999].Select(n => (object)new TimestampNtz(ms, t.IsCompact ? 0 : TruncateNanos(n, t.Precision)))),
        LocalZonedTimestampType t => Gen.Long[-62_135_596_800_000L, 253_402_300_799_999L].SelectMany(ms =>
            Gen.Int[0, 999_999].Select(n => (object)new TimestampLtz(ms, t.IsCompact ? 0 : TruncateNanos(n, t.Precision)))),
        _ => throw new NotSupportedException(type.ToString()),
    };

    /// <summary>A value or, for nullable types, sometimes null.</summary>
    public static Gen<object?> NullableValue(DataType type) =>
        type.IsNullable
            ? Gen.Frequency((1, Gen.Const(NullValue)), (5, Value(type).Select(v => (object?)v)))
            : Value(type).Select(v => (object?)v);

    private static readonly object? NullValue = null;

    public static Gen<GenericRow> Row(RowType type)
    {
        var fields = type.Fields.Select(f => NullableValue(f.Type)).ToArray();
        return Gen.Select(fields.Length == 0 ? Gen.Const(Array.Empty<object?>()) : SequenceOf(fields), vs => new GenericRow(vs));
    }

    /// <summary>A random row type together with a batch of rows of it.</summary>
    public static Gen<(RowType Type, GenericRow[] Rows)> TypeAndRows(int maxFields = 12, int maxRows = 50) =>
        RowTypeGen(maxFields).SelectMany(t => Row(t).Array[0, maxRows].Select(rows => (t, rows)));

    private static Gen<object?[]> SequenceOf(Gen<object?>[] gens) =>
        Gen.Int.Select(_ => 0).SelectMany(_ => gens.Aggregate(
            Gen.Const(Array.Empty<object?>()),
            (acc, g) => acc.SelectMany(arr => g.Select(v => arr.Append(v).ToArray()))));

    private static Gen<object> Text(int maxChars) => Gen.Frequency(
        (3, Gen.Char.AlphaNumeric.Array[0, maxChars].Select(cs => new string(cs))),
        (1, Gen.String[Gen.Char['\u00a0', '\u07ff'], 0, maxChars]),
        (1, Gen.Const("日本語 ✓ 🦆"))).Select(s => (object)s);

    private static Gen<object> Decimal(DecimalType d)
    {
        var digits = Gen.Char['0', '9'].Array[1, d.Precision].Select(cs => BigInteger.Parse(new string(cs), System.Globalization.CultureInfo.InvariantCulture));
        return Gen.Bool.SelectMany(neg => digits.Select(u => (object)FlussDecimal.FromUnscaled(neg ? -u : u, d.Precision, d.Scale)));
    }

    private static int TruncateNanos(int nanoOfMilli, int precision)
    {
        // Keep only the digits the precision allows beyond milliseconds (precision 4..9 -> 1..6 digits of nanoOfMilli).
        var keep = precision - 3;
        var div = (int)Math.Pow(10, 6 - keep);
        return nanoOfMilli / div * div;
    }
}
