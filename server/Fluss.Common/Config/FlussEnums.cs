using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text;

namespace Fluss.Config;

/// <summary>
/// The text form of Fluss enums in options and JSON. A value's name is its <see cref="EnumMemberAttribute"/> value when
/// present (for example <c>paimon</c>), otherwise its C# name in UPPER_SNAKE_CASE (<c>FirstRow</c> -&gt; <c>FIRST_ROW</c>,
/// <c>Lz4Frame</c> -&gt; <c>LZ4_FRAME</c>), which is the Java constant Fluss writes. Parsing ignores case, as Fluss does.
/// </summary>
public static class FlussEnums
{
    /// <summary>Fluss's text for an enum value.</summary>
    public static string Name<T>(T value) where T : struct, Enum => Cache<T>.NameOf[value];

    /// <summary>All names in declaration order, for messages.</summary>
    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => Cache<T>.OrderedNames;

    /// <summary>Names rendered as Fluss lists allowed values: <c>[ARROW, INDEXED, COMPACTED]</c>.</summary>
    public static string AllowedValues<T>() where T : struct, Enum => "[" + string.Join(", ", Cache<T>.OrderedNames) + "]";

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        if (text is not null && Cache<T>.ByName.TryGetValue(text.Trim(), out value))
            return true;
        value = default;
        return false;
    }

    /// <summary>Parses a name case-insensitively; throws <see cref="FormatException"/> listing the allowed values.</summary>
    public static T Parse<T>(string text) where T : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse<T>(text, out var value))
            return value;
        throw new FormatException($"'{text}' is not one of {AllowedValues<T>()} (case-insensitive).");
    }

    internal static string ToUpperSnake(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c) && (char.IsLower(pascal[i - 1]) || char.IsDigit(pascal[i - 1])))
                sb.Append('_');
            sb.Append(char.ToUpperInvariant(c));
        }

        return sb.ToString();
    }

    [SuppressMessage("Design", "CA1812", Justification = "Static generic cache.")]
    private static class Cache<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> NameOf;
        public static readonly FrozenDictionary<string, T> ByName;
        public static readonly string[] OrderedNames;

#pragma warning disable CA1810 // Static fields depend on each other; one static constructor keeps the order clear.
        static Cache()
#pragma warning restore CA1810
        {
            var values = Enum.GetValues<T>();
            var names = new Dictionary<T, string>();
            var byName = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
            var ordered = new List<string>();
            foreach (var v in values)
            {
                var member = typeof(T).GetField(v.ToString(), BindingFlags.Public | BindingFlags.Static)!;
                var name = member.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? ToUpperSnake(member.Name);
                names[v] = name;
                byName.TryAdd(name, v);
                ordered.Add(name);
            }

            NameOf = names.ToFrozenDictionary();
            ByName = byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
            OrderedNames = [.. ordered];
        }
    }
}
