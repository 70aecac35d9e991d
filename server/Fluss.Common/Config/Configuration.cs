using System.Collections;
using Fluss.Errors;

namespace Fluss.Config;

/// <summary>
/// A string key/value map of options (keys are case-sensitive, as in Fluss) with typed access through
/// <see cref="ConfigOption{T}"/>. A typed read of a key that is absent falls back to the option's fallback keys and
/// then to its default; a value that does not parse or breaks the option's rule throws
/// <see cref="InvalidConfigException"/> naming the key, the value and the rule. Not thread-safe for writes.
/// </summary>
public sealed class Configuration : IEnumerable<KeyValuePair<string, string>>
{
    private readonly OrderedDictionary<string, string> _data;

    public Configuration() => _data = new OrderedDictionary<string, string>(StringComparer.Ordinal);

    public Configuration(IEnumerable<KeyValuePair<string, string>> entries) : this()
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (k, v) in entries)
            SetString(k, v);
    }

    /// <summary>A copy of another configuration.</summary>
    public Configuration(Configuration other) : this((IEnumerable<KeyValuePair<string, string>>)other) { }

    public static Configuration FromDictionary(IEnumerable<KeyValuePair<string, string>> entries) => new(entries);

    public int Count => _data.Count;

    public IReadOnlyCollection<string> Keys => _data.Keys;

    /// <summary>The raw text stored under a key, or null.</summary>
    public string? GetString(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _data.TryGetValue(key, out var v) ? v : null;
    }

    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _data.ContainsKey(key);
    }

    /// <summary>True when the option's key or one of its fallback keys is set.</summary>
    public bool Contains(IConfigOption option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return FindRaw(option, out _, out _);
    }

    /// <summary>The typed value: the key's value, else a fallback key's, else the option's default.</summary>
    public T Get<T>(ConfigOption<T> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return TryGet(option, out var value) ? value : option.DefaultValue;
    }

    /// <summary>The typed value when the key (or a fallback key) is set; false when it is not set.</summary>
    public bool TryGet<T>(ConfigOption<T> option, out T value)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (!FindRaw(option, out var raw, out var usedKey))
        {
            value = default!;
            return false;
        }

        try
        {
            value = option.Parse(raw);
            return true;
        }
        catch (InvalidConfigException e) when (usedKey != option.Key)
        {
            throw new InvalidConfigException($"{e.Message} (read from fallback key '{usedKey}')");
        }
    }

    /// <summary>Stores the value in Fluss's text form; a null value removes the key.</summary>
    public Configuration Set<T>(ConfigOption<T> option, T value)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (value is null)
        {
            _data.Remove(option.Key);
            return this;
        }

        option.Validate(value);
        _data[option.Key] = option.Format(value);
        return this;
    }

    public Configuration SetString(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _data[key] = value;
        return this;
    }

    /// <summary>Adds all entries, overwriting existing keys.</summary>
    public Configuration AddAll(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (k, v) in entries)
            SetString(k, v);
        return this;
    }

    /// <summary>Removes the option's key, or else the first of its fallback keys that is set.</summary>
    public bool Remove(IConfigOption option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (_data.Remove(option.Key))
            return true;
        foreach (var fb in option.FallbackKeys)
        {
            if (_data.Remove(fb.Key))
                return true;
        }

        return false;
    }

    public bool RemoveKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _data.Remove(key);
    }

    /// <summary>A copy of the entries, in insertion order.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => new OrderedDictionary<string, string>(_data, StringComparer.Ordinal);

    /// <summary>
    /// Checks every set key that one of <paramref name="options"/> knows (parse and rule); keys of unknown options are
    /// ignored. Throws <see cref="InvalidConfigException"/> for the first invalid value.
    /// </summary>
    public void Validate(IEnumerable<IConfigOption> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var option in options)
        {
            if (FindRaw(option, out var raw, out _))
                option.ValidateRawValue(raw);
        }
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _data.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Entries as <c>key: value</c> lines with secrets hidden.</summary>
    public override string ToString() =>
        "{" + string.Join(", ", _data.Select(kv => kv.Key + "=" + (ConfigOption.IsSensitiveKey(kv.Key) ? ConfigOption.HiddenValue : kv.Value))) + "}";

    private bool FindRaw(IConfigOption option, out string raw, out string usedKey)
    {
        if (_data.TryGetValue(option.Key, out raw!))
        {
            usedKey = option.Key;
            return true;
        }

        foreach (var fb in option.FallbackKeys)
        {
            if (_data.TryGetValue(fb.Key, out raw!))
            {
                usedKey = fb.Key;
                return true;
            }
        }

        raw = string.Empty;
        usedKey = string.Empty;
        return false;
    }
}
