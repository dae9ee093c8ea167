using System.Globalization;

namespace Cpe.Phonehome;

/// <summary>cpe-phonehome's command line, validated once (docs/reference/phonehome.md, "Command line").</summary>
public sealed record AgentOptions(string Factory, string StateDirectory, string Socket, string? Media, string? ConsoleDrop,
    string Model, TimeSpan ScriptTimeout, TimeSpan RequestTimeout, TimeSpan CheckIn, TimeSpan BackoffFirst, bool SendNonce, bool Once)
{
    public const string Usage = """
        usage: cpe-phonehome --factory DIR --state-dir DIR [--socket PATH] [--media DIR] [--console-drop DIR]
                             [--model NAME] [--script-timeout S] [--request-timeout S] [--check-in S] [--backoff-first MS] [--nonce] [--once]
        """;

    public static AgentOptions Parse(string[] args)
    {
        string? factory = null, state = null, media = null, drop = null;
        string socket = "/run/cpe/api.sock", model = "sim";
        double script = 300, request = 10, checkIn = 300, backoff = 1000;
        bool nonce = false, once = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number(double min, double max)
            {
                string name = args[i];
                return double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= min && v <= max ? v
                    : throw new ArgumentException($"{name} must be a number from {min} to {max}");
            }
            switch (args[i])
            {
                case "--factory": factory = Next(); break;
                case "--state-dir": state = Next(); break;
                case "--socket": socket = Next(); break;
                case "--media": media = Next(); break;
                case "--console-drop": drop = Next(); break;
                case "--model": model = Next(); break;
                case "--script-timeout": script = Number(1, 3600); break;
                case "--request-timeout": request = Number(1, 300); break;
                case "--check-in": checkIn = Number(5, 86400); break;
                case "--backoff-first": backoff = Number(10, 60000); break;
                case "--nonce": nonce = true; break;
                case "--once": once = true; break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (factory is null || state is null) throw new ArgumentException("--factory and --state-dir are required");
        return new AgentOptions(factory, state, socket, media, drop, model,
            TimeSpan.FromSeconds(script), TimeSpan.FromSeconds(request), TimeSpan.FromSeconds(checkIn), TimeSpan.FromMilliseconds(backoff), nonce, once);
    }
}
