using Pkgpanda.Core.Hashing;
using Pkgpanda.Core.Runners;
using Pkgpanda.Core.Tests.Building;

namespace Pkgpanda.Core.Tests.Runners;

/// <summary>The probe must give exactly the ids the Docker client gives (they are part of package ids), or defer to it.</summary>
public class EngineProbeTests
{
    private sealed class Counting(IImageResolver inner) : IImageResolver
    {
        public int Calls;

        public Task<string> GetImageIdAsync(string image, CancellationToken cancellationToken)
        {
            Calls++;
            return inner.GetImageIdAsync(image, cancellationToken);
        }
    }

    [DockerFact]
    public async Task Gives_the_engine_s_image_id_and_null_for_a_missing_image_without_the_docker_client()
    {
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var fallback = new Counting(docker);
        var probe = EngineProbe.For(docker.Endpoint, () => fallback).ShouldNotBeNull();

        var expected = await docker.GetImageIdAsync(Engine.Image, CancellationToken.None);
        (await probe.GetImageIdAsync(Engine.Image, CancellationToken.None)).ShouldBe(expected);
        (await probe.TryGetImageIdAsync(Engine.Image, CancellationToken.None)).ShouldBe(expected);
        (await probe.TryGetImageIdAsync("pkgpanda-tests/no-such-image:" + Guid.NewGuid().ToString("N"), CancellationToken.None)).ShouldBeNull();
        fallback.Calls.ShouldBe(0);
    }

    [DockerFact]
    public async Task A_missing_image_is_worded_by_the_runner()
    {
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var fallback = new Counting(docker);
        var probe = EngineProbe.For(docker.Endpoint, () => fallback).ShouldNotBeNull();

        var error = await Should.ThrowAsync<BuildError>(() => probe.GetImageIdAsync("pkgpanda-tests/absent:1", CancellationToken.None));
        error.Message.ShouldContain("pkgpanda-tests/absent:1");
        fallback.Calls.ShouldBe(1);
    }

    [DockerFact]
    public async Task Gives_the_cpu_count_docker_info_gives()
    {
        using var docker = new DockerRunner(DockerRunner.ResolveEndpoint(null));
        var probe = EngineProbe.For(docker.Endpoint, () => docker).ShouldNotBeNull();
        var psi = new System.Diagnostics.ProcessStartInfo("docker", ["info", "--format", "{{.NCPU}}"]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var ncpu = int.Parse((await p.StandardOutput.ReadToEndAsync()).Trim());
        await p.WaitForExitAsync();
        probe.TryGetCpus(CancellationToken.None).ShouldBe(ncpu);
    }

    [Fact]
    public void No_engine_at_the_socket_gives_no_cpu_count()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"pkgpanda-no-engine-{Guid.NewGuid():N}.sock");
        EngineProbe.For(new Uri("unix://" + socket), () => new FixedImages()).ShouldNotBeNull().TryGetCpus(CancellationToken.None).ShouldBeNull();
    }

    [Fact]
    public async Task No_engine_at_the_socket_defers_to_the_runner()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"pkgpanda-no-engine-{Guid.NewGuid():N}.sock");
        var fallback = new Counting(new FixedImages());
        var probe = EngineProbe.For(new Uri("unix://" + socket), () => fallback).ShouldNotBeNull();

        (await probe.GetImageIdAsync(FixedImages.DefaultImage, CancellationToken.None)).ShouldBe(FixedImages.DefaultId);
        fallback.Calls.ShouldBe(1);
        await Should.ThrowAsync<IOException>(() => probe.TryGetImageIdAsync(FixedImages.DefaultImage, CancellationToken.None));
        EngineProbe.For(new Uri("tcp://127.0.0.1:2375"), () => fallback).ShouldBeNull();
    }

    [Fact]
    public async Task An_engine_that_never_answers_is_left_at_once_when_the_run_is_cancelled()
    {
        // A socket that accepts and then says nothing (a hung engine): the probe's calls block, so cancelling must close it.
        var path = Path.Combine(Path.GetTempPath(), $"pkgpanda-silent-{Guid.NewGuid():N}.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        try
        {
            var probe = EngineProbe.For(new Uri("unix://" + path), () => new FixedImages()).ShouldNotBeNull();
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await Should.ThrowAsync<OperationCanceledException>(() => Task.Run(() => probe.TryGetImageIdAsync(FixedImages.DefaultImage, cancel.Token)));
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3), "the 5 s timeout must not be waited for once the run is cancelled");
        }
        finally { File.Delete(path); }
    }
}
