using Pkgpanda.Core.Packaging;

namespace Pkgpanda.Core.Tests.Packaging;

public class ReservedUnitsTests
{
    [Theory]
    [InlineData("dcos.target.wants", "dcos.target")]
    [InlineData("dcos.target.wants", "dcos-setup.service")]
    [InlineData("dcos.target.wants_master", "dcos-download.service")]
    [InlineData("dcos.target.wants_slave_public", "dcos-setup.service")]
    public void A_reserved_unit_in_a_wants_folder_is_refused_naming_unit_and_folder(string folder, string unit)
    {
        using var temp = new TempFolder();
        temp.Write($"result/{folder}/dcos-mesos.service", "[Unit]");
        temp.Write($"result/{folder}/{unit}", "[Unit]");

        var error = Should.Throw<BuildError>(() => ReservedUnits.Check(temp["result"], "lib--1234"));

        // The package and the path its script wrote, not the result folder (a temporary one, gone when the error is read).
        error.Message.ShouldStartWith("lib--1234 installs the reserved unit ");
        error.Message.ShouldContain($"$PKG_PATH/{folder}/{unit}");
        error.Message.ShouldNotContain(temp["result"]);
    }

    [Fact]
    public void Ordinary_units_and_reserved_names_elsewhere_are_fine()
    {
        using var temp = new TempFolder();
        temp.Write("result/dcos.target.wants/dcos-mesos-master.service", "[Unit]");
        temp.Write("result/dcos.target.wants_master/dcos-exhibitor.service", "[Unit]");
        temp.Write("result/lib/systemd/dcos-setup.service", "a reserved name outside the wants folders is only a file");
        temp.Write("result/dcos.target.wantsX/dcos.target", "not a wants folder");

        ReservedUnits.Check(temp["result"], "lib--1234");
    }

    [Fact]
    public void All_reserved_units_are_named_at_once()
    {
        using var temp = new TempFolder();
        temp.Write("result/dcos.target.wants/dcos.target", "");
        temp.Write("result/dcos.target.wants_master/dcos-setup.service", "");

        Should.Throw<BuildError>(() => ReservedUnits.Check(temp["result"], "lib--1234")).Message
            .ShouldContain("reserved units $PKG_PATH/dcos.target.wants/dcos.target, $PKG_PATH/dcos.target.wants_master/dcos-setup.service;");
    }
}
