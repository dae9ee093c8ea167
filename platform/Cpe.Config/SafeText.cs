using System.Globalization;
using System.Text;

namespace Cpe.Config;

/// <summary>
/// What no string in the configuration may hold, whatever its type allows: characters that change how text
/// displays or that betray lost bytes. Control characters (C0 other than tab and newline, DEL, C1) can drive a
/// technician's terminal; bidirectional controls make a banner or description read other than it is (the
/// "Trojan Source" trick); U+FFFD means invalid UTF-8 was replaced somewhere; lone surrogates and noncharacters
/// are not text. Tab and newline are left to each type's own rule.
/// </summary>
public static class SafeText
{
    /// <summary>Why <paramref name="text"/> may not be stored, or null when it may.</summary>
    public static string? Problem(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int scalar = char.ConvertToUtf32(c, text[++i]);
                if ((scalar & 0xFFFE) == 0xFFFE) return $"contains {Name(scalar)}, a noncharacter";
                continue;
            }
            if (char.IsSurrogate(c)) return $"contains a lone surrogate ({Name(c)}), which is not text";
            if (c is '\t' or '\n') continue;
            if (c < 0x20 || c is >= '\u007f' and <= '\u009f') return $"contains the control character {Name(c)}";
            if (IsBidiControl(c)) return $"contains {Name(c)}, a bidirectional control character that changes how text displays";
            if (c == '\uFFFD') return "contains U+FFFD, the replacement character (bytes that were not valid UTF-8)";
            if (c is '\uFFFE' or '\uFFFF' or >= '\uFDD0' and <= '\uFDEF') return $"contains {Name(c)}, a noncharacter";
        }
        return null;
    }

    /// <summary>The text for an error message or a terminal: every character that <see cref="Problem"/> refuses, and tab and newline, as \uXXXX.</summary>
    public static string Escape(string text)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            bool unsafeChar = !pair && (c < 0x20 || c is >= '\u007f' and <= '\u009f' || IsBidiControl(c) || char.IsSurrogate(c)
                || c is '\uFFFD' or '\uFFFE' or '\uFFFF' or >= '\uFDD0' and <= '\uFDEF');
            if (!unsafeChar)
            {
                sb?.Append(c);
                if (pair)
                {
                    i++;
                    sb?.Append(text[i]);
                }
                continue;
            }
            sb ??= new StringBuilder(text, 0, i, text.Length + 8);
            sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }
        return sb?.ToString() ?? text;
    }

    static bool IsBidiControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    static string Name(int scalar) => "U+" + scalar.ToString("X4", CultureInfo.InvariantCulture);
}
