namespace Fluss.Types;

/// <summary>Structural helpers over data types that plain equality does not cover (field ids, descriptions).</summary>
public static class DataTypeChecks
{
    /// <summary>
    /// True when both types are equal and, recursively, every ROW field also has the same field id and
    /// description. (<see cref="DataType.Equals(DataType?)"/> ignores field ids and descriptions.)
    /// </summary>
    public static bool EqualsWithFieldId(DataType? a, DataType? b)
    {
        if (a is null || b is null)
            return a is null && b is null;
        if (!a.Equals(b))
            return false;
        switch (a)
        {
            case RowType ra:
                {
                    var rb = (RowType)b;
                    for (var i = 0; i < ra.FieldCount; i++)
                    {
                        var fa = ra.Fields[i];
                        var fb = rb.Fields[i];
                        if (fa.FieldId != fb.FieldId || !string.Equals(fa.Description, fb.Description, StringComparison.Ordinal)
                            || !EqualsWithFieldId(fa.Type, fb.Type))
                            return false;
                    }

                    return true;
                }

            case ArrayType aa:
                return EqualsWithFieldId(aa.ElementType, ((ArrayType)b).ElementType);
            case MapType ma:
                {
                    var mb = (MapType)b;
                    return EqualsWithFieldId(ma.KeyType, mb.KeyType) && EqualsWithFieldId(ma.ValueType, mb.ValueType);
                }

            default:
                return true;
        }
    }

    /// <summary>
    /// Gives every nested ROW field a fresh id taken from <paramref name="highestFieldId"/> (incremented before use),
    /// depth first in field order, as Fluss does when a column is added to a schema.
    /// </summary>
    public static DataType ReassignFieldIds(DataType type, ref int highestFieldId)
    {
        ArgumentNullException.ThrowIfNull(type);
        switch (type)
        {
            case ArrayType a:
                return new ArrayType(ReassignFieldIds(a.ElementType, ref highestFieldId), a.IsNullable);
            case MapType m:
                {
                    var key = ReassignFieldIds(m.KeyType, ref highestFieldId);
                    var value = ReassignFieldIds(m.ValueType, ref highestFieldId);
                    return new MapType(key, value, m.IsNullable);
                }

            case RowType r:
                {
                    var fields = new DataField[r.FieldCount];
                    for (var i = 0; i < fields.Length; i++)
                    {
                        var f = r.Fields[i];
                        var id = ++highestFieldId;
                        fields[i] = f with { Type = ReassignFieldIds(f.Type, ref highestFieldId), FieldId = id };
                    }

                    return new RowType(fields, r.IsNullable);
                }

            default:
                return type;
        }
    }

    /// <summary>Appends the field ids of all nested ROW fields, depth first.</summary>
    public static void CollectNestedFieldIds(DataType type, List<int> into)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(into);
        switch (type)
        {
            case RowType r:
                foreach (var f in r.Fields)
                {
                    into.Add(f.FieldId);
                    CollectNestedFieldIds(f.Type, into);
                }

                break;
            case ArrayType a:
                CollectNestedFieldIds(a.ElementType, into);
                break;
            case MapType m:
                CollectNestedFieldIds(m.KeyType, into);
                CollectNestedFieldIds(m.ValueType, into);
                break;
        }
    }
}
