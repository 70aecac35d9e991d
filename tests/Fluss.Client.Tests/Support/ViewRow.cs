using Fluss.Rows;

namespace Fluss.Tests.Client.Support;

/// <summary>
/// A row that is not a <see cref="GenericRow"/>: reads the boxed values of one through the typed getters only, so
/// a value of the wrong type fails when read (as a custom row's getter would), and counts the reads.
/// </summary>
internal sealed class ViewRow(GenericRow values) : IRow
{
    /// <summary>How many values were read with a typed getter.</summary>
    public int Reads { get; private set; }

    public int FieldCount => values.FieldCount;
    public bool IsNullAt(int pos) => values.IsNullAt(pos);
    public bool GetBoolean(int pos) => Read(values.GetBoolean, pos);
    public sbyte GetByte(int pos) => Read(values.GetByte, pos);
    public short GetShort(int pos) => Read(values.GetShort, pos);
    public int GetInt(int pos) => Read(values.GetInt, pos);
    public long GetLong(int pos) => Read(values.GetLong, pos);
    public float GetFloat(int pos) => Read(values.GetFloat, pos);
    public double GetDouble(int pos) => Read(values.GetDouble, pos);
    public string GetString(int pos) => Read(values.GetString, pos);
    public byte[] GetBinary(int pos) => Read(values.GetBinary, pos);
    public FlussDecimal GetDecimal(int pos, int precision, int scale) => Read(p => values.GetDecimal(p, precision, scale), pos);
    public TimestampNtz GetTimestampNtz(int pos, int precision) => Read(p => values.GetTimestampNtz(p, precision), pos);
    public TimestampLtz GetTimestampLtz(int pos, int precision) => Read(p => values.GetTimestampLtz(p, precision), pos);

    private T Read<T>(Func<int, T> getter, int pos)
    {
        Reads++;
        return getter(pos);
    }
}
