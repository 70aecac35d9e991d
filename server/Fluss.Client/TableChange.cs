namespace Fluss.Client;

/// <summary>
/// One change of <see cref="FlussAdmin.AlterTableAsync"/>: set a table option, or reset it to its default. Only the
/// alterable options may change (<c>table.datalake.enabled</c>, <c>table.datalake.freshness</c>, <c>table.log.ttl</c>,
/// ...); the server refuses the others by name.
/// </summary>
public abstract record TableChange
{
    private protected TableChange(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Key = key;
    }

    /// <summary>The option key, e.g. <c>table.datalake.freshness</c>.</summary>
    public string Key { get; }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public static TableChange Set(string key, string value) => new SetOption(key, value);

    /// <summary>Removes <paramref name="key"/> from the table's options: it takes its default again.</summary>
    public static TableChange Reset(string key) => new ResetOption(key);

    /// <summary>Sets an option.</summary>
    public sealed record SetOption : TableChange
    {
        public SetOption(string key, string value) : base(key)
        {
            ArgumentNullException.ThrowIfNull(value);
            Value = value;
        }

        public string Value { get; }
    }

    /// <summary>Resets an option to its default.</summary>
    public sealed record ResetOption : TableChange
    {
        public ResetOption(string key) : base(key)
        {
        }
    }
}
