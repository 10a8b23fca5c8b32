using Pkgpanda.Core.Model;

namespace Pkgpanda.Core.Tests.Model;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox")]
    [InlineData("dcos/dcos-builder:dcos-builder_dockerdir-latest")]
    [InlineData("calico/node:v3.14.0")]
    [InlineData("golang:1.11-stretch")]
    [InlineData("registry.example.com:5000/team/img:Tag_1.0")]
    [InlineData("localhost/a__b/c-d--e:x")]
    [InlineData("img@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Names_the_engine_accepts_are_valid(string name) => ImageReference.IsValid(name).ShouldBeTrue(name);

    [Theory]
    [InlineData("Bad Name!!")]
    [InlineData("Upper/case")]
    [InlineData("img:")]
    [InlineData("img:-tag")]
    [InlineData("/img")]
    [InlineData("img/")]
    [InlineData("a..b")]
    [InlineData("")]
    public void Malformed_names_are_not(string name) => ImageReference.IsValid(name).ShouldBeFalse(name);
}
