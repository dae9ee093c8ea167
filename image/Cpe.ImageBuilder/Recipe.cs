namespace Cpe.ImageBuilder;

/// <summary>Everything one image is made from. The same recipe gives the same bytes.</summary>
sealed record Recipe(
    string Version,
    string BinDirectory,        // the NativeAOT device binaries (cped, cpe, cpe-phonehome, cpe-runtime) and the libraries published beside them
    string VnfDirectory,        // signed sample VNF packages (*.tar)
    string BoardDirectory,      // board profiles (*.json)
    IReadOnlyList<string> TrustAnchors,   // PEM files of the vendor's anchors the box trusts for firmware
    string SourceDirectory,     // image/: rootfs/, initramfs/, esp/
    string KernelVersion,
    long Epoch,                 // SOURCE_DATE_EPOCH: every time stamp in the image
    string OutputDirectory,
    int HealthTimeoutSeconds = Recipe.DefaultHealthTimeout)   // how long a new slot has to pass its health check
{
    public const int DefaultHealthTimeout = 300;

    public string Name => "cpe-firmware";
    public string ImageFile => Path.Combine(OutputDirectory, $"{Name}-{Version}.img");
    public string SlotFile => Path.Combine(OutputDirectory, $"{Name}-{Version}.rootfs.img");
    public string WorkDirectory => Path.Combine(OutputDirectory, $".work-{Version}");

    /// <summary>The modules the box loads at start (rcS), with what they depend on: NICs, bridge and VLANs, nftables, overlay, watchdogs.</summary>
    public static readonly string[] BoxModules =
    [
        "igb", "igbvf", "ixgbe", "ixgbevf", "i40e", "iavf", "virtio_net",
        "bridge", "8021q", "macvlan", "veth", "tun",
        "nf_tables", "nft_ct", "nft_nat", "nft_masq", "nft_reject_inet", "nft_fib_inet", "nft_limit", "nft_log", "nft_fwd_netdev",
        "overlay", "i6300esb", "iTCO_wdt", "vfat", "nls_cp437", "nls_iso8859_1", "nls_ascii", "crc32c_generic", "ext4",
    ];

    /// <summary>What the first stage needs to reach a slot: disks (virtio, NVMe, SATA) and the slot's file system.</summary>
    public static readonly string[] InitramfsModules = ["virtio_pci", "virtio_blk", "nvme", "ahci", "sd_mod", "squashfs", "dm_verity"];
}
