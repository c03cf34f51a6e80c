package dev.parley.tool;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.io.IOException;
import java.util.Map;

/**
 * The MCP SDK's JSON mapping over the Jackson 2 that Parley already ships (the SDK's own mapper module would bring
 * Jackson 3 and a schema validator into the jar). Unknown fields are ignored, as a newer server may send more.
 * {@link #NO_OUTPUT_CHECK}: Parley uses a tool's text content only, so the SDK need not check structured output.
 */
final class McpJson implements McpJsonMapper {

  static final McpJson INSTANCE = new McpJson();

  /** Accepts every structured result: Parley reads text content, and checks arguments itself ({@code ToolSchema}). */
  static final JsonSchemaValidator NO_OUTPUT_CHECK = new JsonSchemaValidator() {
    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object content) {
      return ValidationResponse.asValid(null);
    }
  };

  private final ObjectMapper mapper = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private McpJson() {
  }

  private JavaType type(TypeRef<?> ref) {
    return mapper.getTypeFactory().constructType(ref.getType());
  }

  @Override
  public <T> T readValue(String content, Class<T> type) throws IOException {
    return mapper.readValue(content, type);
  }

  @Override
  public <T> T readValue(byte[] content, Class<T> type) throws IOException {
    return mapper.readValue(content, type);
  }

  @Override
  public <T> T readValue(String content, TypeRef<T> type) throws IOException {
    return mapper.readValue(content, type(type));
  }

  @Override
  public <T> T readValue(byte[] content, TypeRef<T> type) throws IOException {
    return mapper.readValue(content, type(type));
  }

  @Override
  public <T> T convertValue(Object from, Class<T> type) {
    return mapper.convertValue(from, type);
  }

  @Override
  public <T> T convertValue(Object from, TypeRef<T> type) {
    return mapper.convertValue(from, type(type));
  }

  @Override
  public String writeValueAsString(Object value) throws IOException {
    return mapper.writeValueAsString(value);
  }

  @Override
  public byte[] writeValueAsBytes(Object value) throws IOException {
    return mapper.writeValueAsBytes(value);
  }
}
