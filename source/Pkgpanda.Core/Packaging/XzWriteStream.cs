using System.Buffers;

namespace Pkgpanda.Core.Packaging;

/// <summary>Compresses what is written to it; the .xz stream is finished on Dispose.</summary>
internal sealed class XzWriteStream : Stream
{
    private const int OutSize = 1 << 20;
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly LzmaHandle _lzma = new();
    private readonly byte[] _out = ArrayPool<byte>.Shared.Rent(OutSize);
    private bool _finished;
    private bool _disposed;

    private readonly CancellationToken _cancellation;

    /// <param name="cancellation">
    /// Stops the compression between two calls of the encoder (each returns within <see cref="StepTimeoutMs"/>, even
    /// while its threads still compress a big block): a stream cancelled before it was finished throws when disposed
    /// asynchronously, so the output it leaves is never taken for a whole one.
    /// </param>
    public unsafe XzWriteStream(Stream inner, long blockSize, XzOptions options, bool leaveOpen, CancellationToken cancellation = default)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _cancellation = cancellation;
        var mt = new Xz.LzmaMt
        {
            Threads = (uint)Math.Clamp(options.Threads, 1, 64),
            BlockSize = checked((ulong)blockSize),
            Timeout = StepTimeoutMs,
            Preset = (uint)options.Preset,
            Check = Xz.CheckCrc64,
        };
        var budget = (ulong)Math.Max(256L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
        while (mt.Threads > 1 && Xz.StreamEncoderMtMemusage(&mt) > budget) mt.Threads--;
        var ret = Xz.StreamEncoderMt(_lzma.Stream, &mt);
        if (ret != Xz.Ret.Ok)
        {
            _lzma.Dispose();
            ArrayPool<byte>.Shared.Return(_out);
            throw Xz.Failure("encoder setup", ret);
        }
    }

    /// <summary>How long one call of the multithreaded encoder waits for its threads before it returns (liblzma's timeout).</summary>
    private const uint StepTimeoutMs = 200;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        fixed (byte* input = buffer)
        {
            var s = _lzma.Stream;
            s->NextIn = input;
            s->AvailIn = (nuint)buffer.Length;
            while (s->AvailIn > 0)
            {
                _cancellation.ThrowIfCancellationRequested();
                var produced = Step(Xz.Action.Run);
                if (produced > 0) _inner.Write(_out, 0, produced);
            }
            s->NextIn = null;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var pin = buffer.Pin();
        var consumed = 0;
        while (consumed < buffer.Length)
        {
            // A big file is compressed chunk by chunk: Ctrl-C stops it between two, not after the whole file.
            cancellationToken.ThrowIfCancellationRequested();
            _cancellation.ThrowIfCancellationRequested();
            var produced = StepFrom(pin, consumed, buffer.Length - consumed, out var used);
            consumed += used;
            if (produced > 0) await _inner.WriteAsync(_out.AsMemory(0, produced), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Feeds input without holding a pointer across an await: the native stream forgets it before returning.</summary>
    private unsafe int StepFrom(System.Buffers.MemoryHandle pin, int offset, int length, out int used)
    {
        var s = _lzma.Stream;
        s->NextIn = (byte*)pin.Pointer + offset;
        s->AvailIn = (nuint)length;
        var produced = Step(Xz.Action.Run);
        used = length - (int)s->AvailIn;
        s->NextIn = null;
        s->AvailIn = 0;
        return produced;
    }

    private unsafe int Step(Xz.Action action)
    {
        fixed (byte* output = _out)
        {
            var s = _lzma.Stream;
            s->NextOut = output;
            s->AvailOut = OutSize;
            var ret = Xz.Code(s, action);
            var produced = OutSize - (int)s->AvailOut;
            s->NextOut = null;
            s->AvailOut = 0;
            if (ret == Xz.Ret.StreamEnd) _finished = true;
            else if (ret != Xz.Ret.Ok) throw Xz.Failure("compression", ret);
            return produced;
        }
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        try
        {
            if (disposing)
            {
                // Cancelled: the rest is not compressed (a synchronous dispose cannot say so; the asynchronous one throws).
                while (!_finished && !_cancellation.IsCancellationRequested)
                {
                    var produced = Step(Xz.Action.Finish);
                    if (produced > 0) _inner.Write(_out, 0, produced);
                }
                _inner.Flush();
            }
        }
        finally
        {
            Release(disposing);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        try
        {
            while (!_finished)
            {
                _cancellation.ThrowIfCancellationRequested();
                var produced = Step(Xz.Action.Finish);
                if (produced > 0) await _inner.WriteAsync(_out.AsMemory(0, produced), _cancellation).ConfigureAwait(false);
            }
            await _inner.FlushAsync(_cancellation).ConfigureAwait(false);
        }
        finally
        {
            Release(disposing: true);
            GC.SuppressFinalize(this);
        }
    }

    private void Release(bool disposing)
    {
        _disposed = true;
        _lzma.Dispose();
        ArrayPool<byte>.Shared.Return(_out);
        if (disposing && !_leaveOpen) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
