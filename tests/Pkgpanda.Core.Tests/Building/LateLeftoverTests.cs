using System.Diagnostics;
using Pkgpanda.Core.Runners;

namespace Pkgpanda.Core.Tests.Building;

public class LateLeftoverTests
{
    private static string Docker(params string[] args)
    {
        var psi = new ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.ShouldBe(0, output);
        return output.Trim();
    }

    /// <summary>
    /// A killed run's container that appears in the engine after this run's sweep listed the containers (its create was
    /// still under way) is removed as this run ends, not left for the following build.
    /// </summary>
    [DockerFact]
    public async Task A_dead_run_s_container_that_appears_after_the_sweep_is_removed_as_the_run_ends()
    {
        var tag = $"late-{Guid.NewGuid():N}";
        string? late = null;
        using var tree = new TempTree().Package("slow", script: "#!/bin/sh\nset -e\nsleep 1\nmkdir -p $PKG_PATH/lib\necho done > $PKG_PATH/lib/x\n");
        try
        {
            await EngineTreeBuild.RunAsync(tree, docker => new ObservedRunner(docker, ended: _ =>
                late = Docker("create", "--network", "none", "--label", $"{DockerRunner.Label}={tag}", "--label", $"{DockerRunner.HostLabel}={LocalHost.Identity}",
                    "--label", $"{DockerRunner.RunLabel}=999999999-1", Engine.Image, "true")), capacity: 1, parallel: 1);

            late.ShouldNotBeNull("the step ran");
            Docker("ps", "-a", "--filter", $"label={DockerRunner.Label}={tag}", "--format", "{{.ID}}").ShouldBeEmpty();
        }
        finally
        {
            if (late is not null) Docker("rm", "-f", late);
        }
    }

    /// <summary>
    /// A run that dies while this one runs (one whose packages this run waited for, then built itself) leaves its
    /// scratch folder and temporaries: they go as this run ends, not with the next build.
    /// </summary>
    [DockerFact]
    public async Task A_dead_run_s_scratch_and_temporaries_that_appear_while_this_run_builds_are_removed_as_it_ends()
    {
        using var dead = Process.Start(new ProcessStartInfo("true"))!;
        dead.WaitForExit();
        var scratch = "";
        var temporary = "";
        using var tree = new TempTree().Package("slow", script: "#!/bin/sh\nset -e\nsleep 1\nmkdir -p $PKG_PATH/lib\necho done > $PKG_PATH/lib/x\n");
        await EngineTreeBuild.RunAsync(tree, docker => new ObservedRunner(docker, ended: _ =>
        {
            // What a run killed meanwhile leaves, named after its (now gone) process.
            scratch = tree.PathOf($"cache/tmp/other--{new string('a', 40)}.{dead.Id}.{Guid.NewGuid():N}");
            Directory.CreateDirectory(Path.Combine(scratch, "result"));
            Directory.CreateDirectory(tree.PathOf("cache/packages/slow"));
            temporary = tree.PathOf($"cache/packages/slow/.other--{new string('a', 40)}.tar.xz.{dead.Id}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temporary, "half a tarball");
        }), capacity: 1, parallel: 1);

        scratch.ShouldNotBeEmpty("the step ran");
        Directory.Exists(scratch).ShouldBeFalse();
        File.Exists(temporary).ShouldBeFalse();
    }
}
