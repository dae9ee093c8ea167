using Cpe.Image.Slots;
using Cpe.TestKit;

namespace Cpe.UnitTests.Image;

/// <summary>The running slot's view at start: on trial or not, a fallback recorded once with its reason, marking good.</summary>
[Trait("Kind", "Unit")]
public sealed class BootAssessmentTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-assessment-");
    readonly BootEntries _entries;
    readonly ImageState _state;
    readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));

    public BootAssessmentTests()
    {
        _entries = new BootEntries(Path.Combine(_dir.Path, "esp"));
        _state = new ImageState(Path.Combine(_dir.Path, "state"));
        _entries.Try("a", "1.0.0", BundleLab.Verity);
        _entries.MarkGood("a");
    }

    /// <summary>What systemd-boot does before it boots a counted entry: one try less, one more done.</summary>
    void LoaderCounts(string slot)
    {
        var e = _entries.Of(slot)!.Entry;
        string folder = Path.Combine(_entries.EspRoot, BootEntry.Folder);
        File.Move(Path.Combine(folder, e.FileName), Path.Combine(folder, (e with { TriesLeft = e.TriesLeft - 1, TriesDone = (e.TriesDone ?? 0) + 1 }).FileName));
    }

    [Fact]
    public void A_tried_slot_that_passes_is_marked_good_and_only_then_raises_the_floor()
    {
        _state.SetSlot(new SlotRecord("b", "2.0.0", "2.0.0", _clock.GetUtcNow(), 100, new string('0', 64)));
        _entries.Try("b", "2.0.0", BundleLab.Verity);
        LoaderCounts("b");
        var assessment = new BootAssessment(_entries, _state, "b", "2.0.0", _clock);
        Assert.True(assessment.OnTrial);
        Assert.Equal("0", _state.Floor.ToString());
        Assert.Equal("2.0.0", assessment.MarkGood().ToString());
        Assert.False(assessment.OnTrial);
        Assert.Equal("cpe-b.conf", _entries.Of("b")!.Entry.FileName);
        Assert.Equal("2.0.0", _state.Floor.ToString());
    }

    [Theory]
    [InlineData("")]                                  // renamed just before a power cut: the name, no data
    [InlineData("title CPE firmware 1.0.0 (slot a)\n")]   // cut short
    public void The_running_slot_s_damaged_entry_is_rewritten_with_its_name_and_a_priority_above_the_other(string damaged)
    {
        _entries.Try("b", "2.0.0", BundleLab.Verity);
        LoaderCounts("b");
        string folder = Path.Combine(_entries.EspRoot, BootEntry.Folder);
        string name = _entries.Of("b")!.Entry.FileName;
        File.WriteAllText(Path.Combine(folder, name), damaged);

        Assert.True(_entries.Repair("b", "2.0.0", BundleLab.Verity));
        var b = _entries.Of("b")!;
        Assert.Equal(name, b.Entry.FileName);   // its counter kept: the loader keeps counting this trial
        Assert.Equal("2.0.0", b.FirmwareVersion);
        Assert.True(b.Priority > _entries.Of("a")!.Priority);
        Assert.Contains("linux /cpe/b/vmlinuz", File.ReadAllText(Path.Combine(folder, name)));
        Assert.False(_entries.Repair("b", "2.0.0", BundleLab.Verity));   // whole again: left alone
        Assert.False(_entries.Repair("a", "1.0.0", BundleLab.Verity));
    }

    [Fact]
    public void A_slot_s_old_boot_files_go_before_its_new_ones_are_written_and_never_while_an_entry_boots_them()
    {
        string kernel = Path.Combine(_dir.Path, "vmlinuz"), initrd = Path.Combine(_dir.Path, "initrd.img");
        File.WriteAllText(kernel, "new kernel");
        File.WriteAllText(initrd, "new initrd");
        string folder = Path.Combine(_entries.EspRoot, "cpe", "b");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "vmlinuz"), "old kernel");
        File.WriteAllText(Path.Combine(folder, "vmlinuz.new"), "left by a failed write");

        _entries.WriteBootFiles("b", kernel, initrd);
        Assert.Equal(["initrd.img", "vmlinuz"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.Equal("new kernel", File.ReadAllText(Path.Combine(folder, "vmlinuz")));

        // Slot a has an entry (it runs): its files are never touched this way.
        Assert.Throws<InvalidOperationException>(() => _entries.WriteBootFiles("a", kernel, initrd));
    }

    [Fact]
    public void A_slot_out_of_tries_is_recorded_once_as_a_fallback_with_the_reason_it_left()
    {
        _state.SetSlot(new SlotRecord("b", "3.0.0", "3.0.0", _clock.GetUtcNow(), 100, new string('0', 64)));
        _entries.Try("b", "3.0.0", BundleLab.Verity);
        for (int i = 0; i < BootEntries.Tries; i++)
        {
            LoaderCounts("b");
            new BootAssessment(_entries, _state, "b", "3.0.0", _clock).RecordFailure("wan", "ge-0/0/0 (eth0) has no DHCP lease", ["line 1", "line 2"]);
        }
        Assert.True(_entries.Of("b")!.Entry.Bad);   // the loader now boots A by itself

        var a = new BootAssessment(_entries, _state, "a", "2.0.0", _clock);
        var fallback = a.RecordFallback();
        Assert.NotNull(fallback);
        Assert.Equal(("b", "3.0.0", "a", 3), (fallback.FromSlot, fallback.FromVersion, fallback.ToSlot, fallback.Attempts));
        Assert.Equal("health check 'wan' failed: ge-0/0/0 (eth0) has no DHCP lease", fallback.Reason);
        Assert.Equal(["line 1", "line 2"], fallback.LogTail);
        Assert.Null(a.RecordFallback());   // once
        Assert.Equal(fallback.Reason, _state.Slot("b")!.Failure);
        Assert.Null(_entries.Of("b"));
        Assert.Equal((fallback.FromSlot, fallback.Reason, fallback.At), (_state.LastFallback!.FromSlot, _state.LastFallback.Reason, _state.LastFallback.At));
    }

    [Fact]
    public void A_slot_that_never_got_far_enough_to_say_why_is_still_reported()
    {
        _entries.Try("b", "3.0.0", BundleLab.Verity);
        for (int i = 0; i < BootEntries.Tries; i++) LoaderCounts("b");
        var fallback = new BootAssessment(_entries, _state, "a", "2.0.0", _clock).RecordFallback();
        Assert.NotNull(fallback);
        Assert.StartsWith("it never passed its health check", fallback.Reason);
        Assert.Equal("3.0.0", fallback.FromVersion);   // from its entry, as no install record says it
    }

    [Fact]
    public void Preferring_a_slot_puts_its_entry_first_and_keeps_its_state()
    {
        _entries.Try("b", "2.0.0", BundleLab.Verity);
        _entries.MarkGood("b");
        Assert.True(_entries.Of("b")!.Priority > _entries.Of("a")!.Priority);
        _entries.Prefer("a");
        Assert.True(_entries.Of("a")!.Priority > _entries.Of("b")!.Priority);
        Assert.True(_entries.Of("a")!.Entry.Good);
        Assert.Equal("1.0.0", _entries.Of("a")!.FirmwareVersion);
    }

    public void Dispose() => _dir.Dispose();
}
