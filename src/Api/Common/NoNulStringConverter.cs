using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Api.Common;

/// <summary>
/// Refuses U+0000 in any string of a request body. PostgreSQL cannot store it in text, and no field of
/// this API has a use for it; the JSON error becomes a 422 naming the field.
/// </summary>
internal sealed class NoNulStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        if (value is not null && value.Contains('\0', StringComparison.Ordinal))
        {
            throw new JsonException("The NUL character is not allowed.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
