using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using Cpe.Board.Profile;

namespace Cpe.Board.Gpio;

/// <summary>An LED of the board, one GPIO line per colour.</summary>
public interface ILed
{
    string Name { get; }
    IReadOnlyCollection<string> Colours { get; }
    /// <summary>Lights <paramref name="colour"/> (null: dark). Amber on a red/green LED is both lines.</summary>
    void Show(string? colour);
}

/// <summary>A push button of the board.</summary>
public interface IButton
{
    string Name { get; }
    bool IsPressed { get; }
}

/// <summary>
/// The board's LEDs and buttons on System.Device.Gpio: one <see cref="GpioController"/> per gpiochip the profile
/// names, with the libgpiod driver on real hardware or <see cref="SimulatedGpioDriver"/> on the simulated board.
/// </summary>
public sealed class BoardGpio : IDisposable
{
    readonly Dictionary<int, GpioController> _chips = [];

    public IReadOnlyList<ILed> Leds { get; }
    public IReadOnlyList<IButton> Buttons { get; }

    public BoardGpio(BoardProfile profile)
    {
        var gpio = profile.Gpio ?? new GpioProfile();
        GpioController Chip(int chip)
        {
            if (!_chips.TryGetValue(chip, out var controller))
            {
                GpioDriver driver = gpio.Driver == "simulated" ? new SimulatedGpioDriver(gpio.Root!, chip) : new LibGpiodDriver(chip);
                _chips[chip] = controller = new GpioController(driver);
            }
            return controller;
        }
        try
        {
            Leds = profile.Leds.Select(l => (ILed)new GpioLed(l, Chip(l.Chip))).ToList();
            Buttons = profile.Buttons.Select(b => (IButton)new GpioButton(b, Chip(b.Chip))).ToList();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var c in _chips.Values) c.Dispose();
        _chips.Clear();
    }

    sealed class GpioLed : ILed
    {
        readonly LedProfile _profile;
        readonly GpioController _chip;

        public GpioLed(LedProfile profile, GpioController chip)
        {
            (_profile, _chip) = (profile, chip);
            foreach (var line in profile.Colours.Values) chip.OpenPin(line, PinMode.Output, Level(false));
        }

        public string Name => _profile.Name;
        public IReadOnlyCollection<string> Colours => _profile.Colours.Keys.Concat(CanMixAmber ? ["amber"] : []).ToList();
        bool CanMixAmber => !_profile.Colours.ContainsKey("amber") && _profile.Colours.ContainsKey("red") && _profile.Colours.ContainsKey("green");

        PinValue Level(bool lit) => lit != _profile.ActiveLow ? PinValue.High : PinValue.Low;

        public void Show(string? colour)
        {
            bool mixed = colour == "amber" && CanMixAmber;
            foreach (var (name, line) in _profile.Colours)
                _chip.Write(line, Level(name == colour || (mixed && name is "red" or "green")));
        }
    }

    sealed class GpioButton : IButton
    {
        readonly ButtonProfile _profile;
        readonly GpioController _chip;

        public GpioButton(ButtonProfile profile, GpioController chip)
        {
            (_profile, _chip) = (profile, chip);
            // The pull that holds the line released, where the chip can bias lines; the board's resistor otherwise.
            var mode = profile.ActiveLow ? PinMode.InputPullUp : PinMode.InputPullDown;
            chip.OpenPin(profile.Line, chip.IsPinModeSupported(profile.Line, mode) ? mode : PinMode.Input);
        }

        public string Name => _profile.Name;
        public bool IsPressed => (_chip.Read(_profile.Line) == PinValue.High) != _profile.ActiveLow;
    }
}
