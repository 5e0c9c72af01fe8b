using System.Net.Sockets;
using Modular.Application.Common.Persistence;
using Modular.Infrastructure.Persistence;
using Npgsql;

namespace Modular.Infrastructure.UnitTests.Persistence;

public sealed class FailureClassifierTests
{
    private readonly FailureClassifier _classifier = new();

    public static TheoryData<string> UnavailableStates => ["08006", "08001", "57P01", "57P02", "57P03", "53300"];

    [Fact]
    public void A_connection_that_cannot_be_opened_is_unavailable() =>
        Assert.Equal(FailureKind.Unavailable, _classifier.Classify(
            new InvalidOperationException("transient", new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)))));

    [Fact]
    public void A_connection_that_broke_is_unavailable() =>
        Assert.Equal(FailureKind.Unavailable, _classifier.Classify(new NpgsqlException("Exception while reading", new EndOfStreamException())));

    [Theory]
    [MemberData(nameof(UnavailableStates))]
    public void A_server_shutting_down_starting_or_full_is_unavailable(string sqlState) =>
        Assert.Equal(FailureKind.Unavailable, _classifier.Classify(new PostgresException("shutting down", "FATAL", "FATAL", sqlState)));

    [Theory]
    [InlineData("42P01")]
    [InlineData("40001")]
    [InlineData("23503")]
    public void Other_server_errors_are_unexpected(string sqlState) =>
        Assert.Equal(FailureKind.Unexpected, _classifier.Classify(new PostgresException("error", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void Handled_uniqueness_and_concurrency_losses_are_races()
    {
        Assert.Equal(FailureKind.Race, _classifier.Classify(new UniqueConstraintException("pk_idempotency_keys", new InvalidOperationException())));
        Assert.Equal(FailureKind.Race, _classifier.Classify(new ConcurrencyConflictException(new InvalidOperationException())));
    }

    [Fact]
    public void A_bug_is_unexpected() =>
        Assert.Equal(FailureKind.Unexpected, _classifier.Classify(new NullReferenceException()));
}
