using System.Runtime.InteropServices;

namespace Pkgpanda.Core.Packaging;

/// <summary>
/// How package tarballs are compressed. The bytes never depend on the thread count: liblzma's multithreaded encoder
/// cuts blocks at exact multiples of the block size, and every block is compressed alone.
/// </summary>
/// <remarks>
/// Every block starts with an empty dictionary, which costs size: with 8 MiB blocks ~200 MB of binaries came out
/// 1.02-1.055x the size of single-stream <c>xz -6</c> (what pkgpanda's <c>tar -cJf</c> gives). So a package is cut
/// into at most <see cref="MaximumBlocks"/> equal blocks of at least <see cref="MinimumBlockSize"/>: one block (the
/// size of <c>xz -6</c>) below twice that, and on big packages few enough restarts to stay within 1% while two to
/// four cores share the work. The block size depends only on the input's size, which the packer knows before it
/// writes (README, Benchmarks).
/// </remarks>
internal sealed record XzOptions
{
    /// <summary>pkgpanda (Python's tarfile "w:xz") used xz's default preset, 6.</summary>
    public int Preset { get; init; } = 6;

    /// <summary>A fixed block size; null chooses it from the input's size (<see cref="BlockSizeFor"/>).</summary>
    public long? BlockSize { get; init; }

    /// <summary>The smallest block the size policy cuts (6x preset 6's 8 MiB dictionary).</summary>
    public long MinimumBlockSize { get; init; } = 48L << 20;

    public int MaximumBlocks { get; init; } = 4;

    /// <summary>
    /// Changes speed and memory only, never the output. Fewer are used when this many would need more than a quarter
    /// of the memory available (about 100 MB each at preset 6, plus the blocks in flight), as <c>xz -T0</c> does.
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The block size for <paramref name="inputSize"/> bytes: <see cref="BlockSize"/> when set, else the input cut
    /// into as many equal blocks (rounded up to whole MiB) as leave each at least <see cref="MinimumBlockSize"/>, at
    /// most <see cref="MaximumBlocks"/>. A size not known beforehand (negative) gets the minimum.
    /// </summary>
    public long BlockSizeFor(long inputSize)
    {
        if (BlockSize is { } fixedSize) return fixedSize;
        if (inputSize < 0) return MinimumBlockSize;
        var blocks = Math.Clamp(inputSize / MinimumBlockSize, 1, Math.Max(1, MaximumBlocks));
        var size = (inputSize + blocks - 1) / blocks;
        const long MiB = 1L << 20;
        return Math.Max(MiB, (size + MiB - 1) / MiB * MiB);
    }
}

/// <summary>
/// .xz streams through the system's liblzma.so.5. This is the only file that touches native code: the library is
/// present wherever xz-utils is, and .NET has no xz codec of its own.
/// </summary>
internal static class Xz
{
    /// <summary>A write-only stream whose bytes reach <paramref name="output"/> as .xz when it is disposed.</summary>
    /// <param name="inputSize">How many bytes will be written, when known: it picks the block size (<see cref="XzOptions.BlockSizeFor"/>).</param>
    /// <param name="cancellation">Stops it within a fraction of a second, however big the block being compressed (<see cref="XzWriteStream"/>).</param>
    public static Stream Compress(Stream output, XzOptions? options = null, bool leaveOpen = false, long inputSize = -1, CancellationToken cancellation = default) =>
        new XzWriteStream(output, (options ?? new XzOptions()).BlockSizeFor(inputSize), options ?? new XzOptions(), leaveOpen, cancellation);

    /// <summary>A read-only stream of the data in .xz <paramref name="input"/> (concatenated streams accepted).</summary>
    public static Stream Decompress(Stream input, bool leaveOpen = false) => new XzReadStream(input, leaveOpen);

    internal const uint CheckCrc64 = 4;
    internal const uint Concatenated = 0x08;

    internal enum Ret
    {
        Ok = 0, StreamEnd = 1, NoCheck = 2, UnsupportedCheck = 3, GetCheck = 4, MemError = 5, MemlimitError = 6,
        FormatError = 7, OptionsError = 8, DataError = 9, BufError = 10, ProgError = 11, SeekNeeded = 12,
    }

    internal enum Action { Run = 0, Finish = 3 }

    /// <summary>lzma_stream (base.h); all zeros is LZMA_STREAM_INIT.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct LzmaStream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
        public IntPtr Allocator;
        public IntPtr Internal;
        public IntPtr ReservedPtr1, ReservedPtr2, ReservedPtr3, ReservedPtr4;
        public ulong SeekPos, ReservedInt2;
        public nuint ReservedInt3, ReservedInt4;
        public int ReservedEnum1, ReservedEnum2;
    }

    /// <summary>lzma_mt (container.h), used by both the multithreaded encoder and decoder.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LzmaMt
    {
        public uint Flags;
        public uint Threads;
        public ulong BlockSize;
        public uint Timeout;
        public uint Preset;
        public IntPtr Filters;
        public uint Check;
        public int ReservedEnum1, ReservedEnum2, ReservedEnum3;
        public uint ReservedInt1, ReservedInt2, ReservedInt3, ReservedInt4;
        public ulong MemlimitThreading;
        public ulong MemlimitStop;
        public ulong ReservedInt7, ReservedInt8;
        public IntPtr ReservedPtr1, ReservedPtr2, ReservedPtr3, ReservedPtr4;
    }

    private const string Library = "liblzma.so.5";

    [DllImport(Library, EntryPoint = "lzma_stream_encoder_mt")]
    internal static extern unsafe Ret StreamEncoderMt(LzmaStream* strm, LzmaMt* options);

    [DllImport(Library, EntryPoint = "lzma_stream_encoder_mt_memusage")]
    internal static extern unsafe ulong StreamEncoderMtMemusage(LzmaMt* options);

    [DllImport(Library, EntryPoint = "lzma_stream_decoder")]
    internal static extern unsafe Ret StreamDecoder(LzmaStream* strm, ulong memlimit, uint flags);

    [DllImport(Library, EntryPoint = "lzma_stream_decoder_mt")]
    internal static extern unsafe Ret StreamDecoderMt(LzmaStream* strm, LzmaMt* options);

    [DllImport(Library, EntryPoint = "lzma_code")]
    internal static extern unsafe Ret Code(LzmaStream* strm, Action action);

    [DllImport(Library, EntryPoint = "lzma_end")]
    internal static extern unsafe void End(LzmaStream* strm);

    internal static IOException Failure(string what, Ret ret) => new($"xz {what} failed: liblzma returned {ret}");
}

/// <summary>Owns one native lzma_stream, so a forgotten Dispose still frees the coder and its threads.</summary>
internal sealed unsafe class LzmaHandle : SafeHandle
{
    public LzmaHandle() : base(IntPtr.Zero, ownsHandle: true) =>
        SetHandle((IntPtr)NativeMemory.AllocZeroed((nuint)sizeof(Xz.LzmaStream)));

    public Xz.LzmaStream* Stream => (Xz.LzmaStream*)handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Xz.End((Xz.LzmaStream*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
