using Pkgpanda.Core.Runners;

namespace Pkgpanda.Core.Tests.Runners;

public class EngineAddressTests
{
    [Fact]
    public void Several_addresses_give_one_engine_each_with_an_optional_capacity()
    {
        var engines = EngineAddress.ParseAll(["unix:///var/run/docker.sock", "tcp://build-2.example:2376#8", "unix:///tmp/b3.sock"]);
        engines.Select(e => e.Address).ShouldBe(["unix:///var/run/docker.sock", "tcp://build-2.example:2376", "unix:///tmp/b3.sock"]);
        engines.Select(e => e.Capacity).ShouldBe([null, 8, null]);
    }

    [Fact]
    public void One_value_may_hold_several_addresses_as_an_environment_variable_would()
    {
        EngineAddress.ParseAll(["unix:///a.sock tcp://b:2375"]).Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("build-2:2376", "is not an engine address")]
    [InlineData("ssh://me@build-2", "forward its socket over SSH")]
    [InlineData("unix://", "is not an engine address")]
    [InlineData("tcp://b:2375#0", "at least 1")]
    [InlineData("tcp://b:2375#many", "at least 1")]
    public void A_malformed_address_is_refused_naming_it(string address, string expected)
    {
        var error = Should.Throw<BuildError>(() => EngineAddress.ParseAll([address]));
        error.Message.ShouldContain(address);
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void An_engine_named_twice_is_refused()
    {
        Should.Throw<BuildError>(() => EngineAddress.ParseAll(["tcp://b:2375", "tcp://b:2375#2"])).Message.ShouldContain("named twice");
    }
}
