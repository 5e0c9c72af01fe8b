namespace Modular.Domain.Common;

/// <summary>How an expected failure reaches a client.</summary>
public enum ErrorType
{
    /// <summary>The input breaks a rule (422).</summary>
    Validation,

    /// <summary>The thing does not exist for this organization (404).</summary>
    NotFound,

    /// <summary>The thing exists but its state forbids the change (409).</summary>
    Conflict,
}

/// <summary>An expected failure: a code for machines, a message for people, and the fields at fault.</summary>
public sealed record Error(string Code, string Message, ErrorType Type, IReadOnlyDictionary<string, string[]>? Fields = null)
{
    public static Error Validation(string field, string message) =>
        new("validation", message, ErrorType.Validation, new Dictionary<string, string[]> { [field] = [message] });

    public static Error Validation(IReadOnlyDictionary<string, string[]> fields) =>
        new("validation", "One or more fields are invalid.", ErrorType.Validation, fields);

    public static Error NotFound(string what, long id) =>
        new($"{what}.not_found", $"{Capitalize(what)} {id} was not found.", ErrorType.NotFound);

    public static Error Conflict(string code, string message) => new(code, message, ErrorType.Conflict);

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}

/// <summary>A result type that can be made from an error without knowing its value type.</summary>
public interface IFailable<out TSelf>
    where TSelf : IFailable<TSelf>
{
    static abstract TSelf Fail(Error error);
}

/// <summary>The outcome of an operation that can fail in an expected way.</summary>
public class Result : IFailable<Result>
{
    protected Result(Error? error) => Error = error;

    public Error? Error { get; }

    public bool IsSuccess => Error is null;

    public bool IsFailure => Error is not null;

    public static Result Success() => new(null);

    public static Result Failure(Error error) => new(error);

    static Result IFailable<Result>.Fail(Error error) => Failure(error);

    public static Result<T> Success<T>(T value) => Result<T>.Success(value);

    public static implicit operator Result(Error error) => Failure(error);
}

/// <summary>The outcome of an operation that yields a value when it succeeds.</summary>
public sealed class Result<T> : Result, IFailable<Result<T>>
{
    private readonly T? _value;

    private Result(T? value, Error? error) : base(error) => _value = value;

    /// <summary>The value; reading it from a failure is a bug.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"A failed result has no value ({Error!.Code}).");

    public static Result<T> Success(T value) => new(value, null);

    public static new Result<T> Failure(Error error) => new(default, error);

    static Result<T> IFailable<Result<T>>.Fail(Error error) => Failure(error);

    public static implicit operator Result<T>(T value) => Success(value);

    public static implicit operator Result<T>(Error error) => Failure(error);
}
