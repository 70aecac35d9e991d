using System.Collections;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Fluss.Data;

/// <summary>
/// A parameter of a <see cref="FlussDbCommand"/>. In SQL, refer to it as <c>$name</c> or <c>@name</c> (named), or
/// by position as <c>$1</c> or <c>?</c> (parameters without a name, in order). Values are CLR values of the types the
/// data reader returns (long, decimal, string, DateTime, DateTimeOffset, DateOnly, byte[], ...); null or
/// <see cref="DBNull.Value"/> is SQL NULL.
/// </summary>
public sealed class FlussDbParameter : DbParameter
{
    private string _name = "";

    public FlussDbParameter()
    {
    }

    public FlussDbParameter(string? name, object? value)
    {
        ParameterName = name;
        Value = value;
    }

    public override DbType DbType { get; set; } = DbType.Object;

    /// <summary>Only input parameters exist.</summary>
    public override ParameterDirection Direction
    {
        get => ParameterDirection.Input;
        set
        {
            if (value != ParameterDirection.Input)
                throw new NotSupportedException($"Fluss SQL parameters are input parameters only, not {value}.");
        }
    }

    public override bool IsNullable { get; set; }

    [AllowNull]
    public override string ParameterName
    {
        get => _name;
        set => _name = value ?? "";
    }

    public override int Size { get; set; }

    [AllowNull]
    public override string SourceColumn { get; set; } = "";

    public override bool SourceColumnNullMapping { get; set; }

    public override object? Value { get; set; }

    public override void ResetDbType() => DbType = DbType.Object;
}

/// <summary>The parameters of a <see cref="FlussDbCommand"/>.</summary>
public sealed class FlussDbParameterCollection : DbParameterCollection
{
    private readonly List<FlussDbParameter> _items = [];

    public override int Count => _items.Count;

    public override object SyncRoot => ((ICollection)_items).SyncRoot;

    /// <summary>Adds a named parameter and returns it.</summary>
    public FlussDbParameter AddWithValue(string name, object? value)
    {
        var p = new FlussDbParameter(name, value);
        _items.Add(p);
        return p;
    }

    public override int Add(object value)
    {
        _items.Add(Cast(value));
        return _items.Count - 1;
    }

    public override void AddRange(Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var v in values) Add(v!);
    }

    public override void Clear() => _items.Clear();

    public override bool Contains(object value) => value is FlussDbParameter p && _items.Contains(p);

    public override bool Contains(string value) => IndexOf(value) >= 0;

    public override void CopyTo(Array array, int index) => ((ICollection)_items).CopyTo(array, index);

    public override IEnumerator GetEnumerator() => _items.GetEnumerator();

    public override int IndexOf(object value) => value is FlussDbParameter p ? _items.IndexOf(p) : -1;

    public override int IndexOf(string parameterName)
    {
        var name = Bare(parameterName);
        return _items.FindIndex(p => string.Equals(Bare(p.ParameterName), name, StringComparison.OrdinalIgnoreCase));
    }

    public override void Insert(int index, object value) => _items.Insert(index, Cast(value));

    public override void Remove(object value) => _items.Remove(Cast(value));

    public override void RemoveAt(int index) => _items.RemoveAt(index);

    public override void RemoveAt(string parameterName) => _items.RemoveAt(IndexOrThrow(parameterName));

    protected override DbParameter GetParameter(int index) => _items[index];

    protected override DbParameter GetParameter(string parameterName) => _items[IndexOrThrow(parameterName)];

    protected override void SetParameter(int index, DbParameter value) => _items[index] = Cast(value);

    protected override void SetParameter(string parameterName, DbParameter value) => _items[IndexOrThrow(parameterName)] = Cast(value);

    internal IReadOnlyList<FlussDbParameter> Items => _items;

    private int IndexOrThrow(string parameterName)
    {
        var i = IndexOf(parameterName);
        return i >= 0 ? i : throw new ArgumentException($"The command has no parameter '{parameterName}'.", nameof(parameterName));
    }

    private static string Bare(string name) => name.TrimStart('@', '$', ':');

    private static FlussDbParameter Cast(object value) => value as FlussDbParameter
        ?? throw new InvalidCastException($"Fluss commands take FlussDbParameter parameters, not {value?.GetType().Name ?? "null"}.");
}
