using System.Buffers;

namespace Pkgpanda.Core.Packaging;

/// <summary>Decompresses .xz (one or more concatenated streams) as it is read.</summary>
internal sealed class XzReadStream : Stream
{
    private const int InSize = 1 << 16;
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly LzmaHandle _lzma = new();
    private readonly byte[] _in = ArrayPool<byte>.Shared.Rent(InSize);
    private int _inStart;
    private int _inEnd;
    private bool _inputDone;
    private bool _ended;
    private bool _disposed;

    public XzReadStream(Stream inner, bool leaveOpen)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        var ret = StartDecoder();
        if (ret != Xz.Ret.Ok)
        {
            _lzma.Dispose();
            ArrayPool<byte>.Shared.Return(_in);
            throw Xz.Failure("decoder setup", ret);
        }
    }

    /// <summary>
    /// The threaded decoder decodes our blocks in parallel (they carry their sizes); older liblzma builds without it
    /// fall back to the single-threaded one.
    /// </summary>
    private unsafe Xz.Ret StartDecoder()
    {
        var mt = new Xz.LzmaMt
        {
            Flags = Xz.Concatenated,
            Threads = (uint)Math.Clamp(Environment.ProcessorCount, 1, 64),
            MemlimitThreading = (ulong)Math.Max(256L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4),
            MemlimitStop = ulong.MaxValue,
        };
        try
        {
            return Xz.StreamDecoderMt(_lzma.Stream, &mt);
        }
        catch (EntryPointNotFoundException)
        {
            return Xz.StreamDecoder(_lzma.Stream, ulong.MaxValue, Xz.Concatenated);
        }
    }

    public override bool CanRead => !_disposed;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (_ended || buffer.Length == 0) return 0;
            if (_inStart == _inEnd && !_inputDone) Fill(_inner.Read(_in, 0, InSize));
            var produced = Decode(buffer);
            if (produced > 0 || _ended) return produced;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (_ended || buffer.Length == 0) return 0;
            if (_inStart == _inEnd && !_inputDone)
                Fill(await _inner.ReadAsync(_in.AsMemory(0, InSize), cancellationToken).ConfigureAwait(false));
            var produced = Decode(buffer.Span);
            if (produced > 0 || _ended) return produced;
        }
    }

    private void Fill(int read)
    {
        _inStart = 0;
        _inEnd = read;
        if (read == 0) _inputDone = true;
    }

    private unsafe int Decode(Span<byte> buffer)
    {
        fixed (byte* input = _in)
        fixed (byte* output = buffer)
        {
            var s = _lzma.Stream;
            s->NextIn = input + _inStart;
            s->AvailIn = (nuint)(_inEnd - _inStart);
            s->NextOut = output;
            s->AvailOut = (nuint)buffer.Length;
            // With LZMA_CONCATENATED only FINISH, after the last input byte, tells the decoder no stream follows.
            var ret = Xz.Code(s, _inputDone ? Xz.Action.Finish : Xz.Action.Run);
            _inStart = _inEnd - (int)s->AvailIn;
            var produced = buffer.Length - (int)s->AvailOut;
            s->NextIn = null; s->AvailIn = 0; s->NextOut = null; s->AvailOut = 0;
            switch (ret)
            {
                case Xz.Ret.Ok: break;
                case Xz.Ret.StreamEnd: _ended = true; break;
                case Xz.Ret.BufError when _inputDone: throw new InvalidDataException("xz data is truncated.");
                case Xz.Ret.BufError: break;
                case Xz.Ret.FormatError: throw new InvalidDataException("not xz data.");
                case Xz.Ret.DataError: throw new InvalidDataException("xz data is corrupt.");
                default: throw Xz.Failure("decompression", ret);
            }
            return produced;
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        _lzma.Dispose();
        ArrayPool<byte>.Shared.Return(_in);
        if (disposing && !_leaveOpen) _inner.Dispose();
        base.Dispose(disposing);
    }
}
