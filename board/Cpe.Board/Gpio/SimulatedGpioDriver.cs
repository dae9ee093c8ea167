using System.Device.Gpio;
using System.Globalization;

namespace Cpe.Board.Gpio;

/// <summary>
/// The simulated board's GPIO chip (docs/reference/simulated-board.md, "GPIO"): line N of chip C is the file
/// <c>ROOT/gpiochipC/lineN</c> holding "0" or "1", which tests read (LEDs) and write (buttons). Each change this
/// driver writes is also appended to <c>lineN.log</c> ("UNIX-MS VALUE"), so a test can check a blink pattern's
/// timing after the fact. Edge events are not offered: the platform polls its buttons, on real chips too.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    readonly string _chip;
    readonly Dictionary<int, PinMode> _modes = [];
    readonly Dictionary<int, PinValue> _written = [];
    readonly TimeProvider _clock;

    public SimulatedGpioDriver(string root, int chip, TimeProvider? clock = null)
    {
        _chip = Path.Combine(root, $"gpiochip{chip}");
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(_chip);
    }

    public static string LinePath(string root, int chip, int line) => Path.Combine(root, $"gpiochip{chip}", $"line{line}");

    protected override int PinCount => 64;

    string Line(int pin) => Path.Combine(_chip, $"line{pin}");

    protected override void OpenPin(int pinNumber)
    {
        if (pinNumber is < 0 or >= 64) throw new ArgumentOutOfRangeException(nameof(pinNumber), $"{_chip} has lines 0..63");
    }

    protected override void ClosePin(int pinNumber) => _modes.Remove(pinNumber);
    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;
    protected override PinMode GetPinMode(int pinNumber) => _modes.GetValueOrDefault(pinNumber, PinMode.Input);
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber)
    {
        try { return File.ReadAllText(Line(pinNumber)).Trim() == "1" ? PinValue.High : PinValue.Low; }
        catch (FileNotFoundException) { return _modes.GetValueOrDefault(pinNumber) == PinMode.InputPullUp ? PinValue.High : PinValue.Low; }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        if (_written.TryGetValue(pinNumber, out var last) && last == value) return;
        _written[pinNumber] = value;
        string text = value == PinValue.High ? "1" : "0", path = Line(pinNumber), temporary = path + ".new";
        // Replaced, not rewritten in place: a reader never sees an empty file.
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
        File.AppendAllText(path + ".log", $"{_clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)} {text}\n");
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated GPIO chip has no edge events; poll the line");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the simulated GPIO chip has no edge events; poll the line");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) { }
}
