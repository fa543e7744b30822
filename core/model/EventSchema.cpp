#include "model/EventSchema.h"

#include <unordered_map>

namespace cctv::model {
namespace {

// Generated from the Anthropic.ClaudeTelemetry schema in ../shared/seed (fields under `attributes`, in
// order). The wire key is the "(from x.y)" source the schema names, else the field name itself.
const FieldDef kFields[kFieldCount] = {
    {"event_name", "event.name", FieldType::Text, true},
    {"event_timestamp", "event.timestamp", FieldType::Timestamp, false},
    {"event_sequence", "event.sequence", FieldType::Int, false},
    {"session_id", "session.id", FieldType::Text, false},
    {"prompt_id", "prompt.id", FieldType::Text, false},
    {"app_version", "app.version", FieldType::Text, false},
    {"app_entrypoint", "app.entrypoint", FieldType::Text, false},
    {"organization_id", "organization.id", FieldType::Text, false},
    {"user_id", "user.id", FieldType::Text, true},
    {"user_account_id", "user.account_id", FieldType::Text, false},
    {"user_account_uuid", "user.account_uuid", FieldType::Text, false},
    {"user_email", "user.email", FieldType::Text, false},
    {"terminal_type", "terminal.type", FieldType::Text, true},
    {"workspace_host_paths", "workspace.host_paths", FieldType::Array, false},
    {"prompt", "prompt", FieldType::Text, false},
    {"prompt_length", "prompt_length", FieldType::Int, false},
    {"command_name", "command_name", FieldType::Text, false},
    {"command_source", "command_source", FieldType::Text, false},
    {"tool_name", "tool_name", FieldType::Text, true},
    {"tool_use_id", "tool_use_id", FieldType::Text, false},
    {"success", "success", FieldType::Bool, false},
    {"duration_ms", "duration_ms", FieldType::Int, false},
    {"error_type", "error_type", FieldType::Text, false},
    {"decision", "decision", FieldType::Text, false},
    {"decision_type", "decision_type", FieldType::Text, false},
    {"decision_source", "decision_source", FieldType::Text, false},
    {"source", "source", FieldType::Text, false},
    {"mcp_server_scope", "mcp_server_scope", FieldType::Text, false},
    {"tool_input_size_bytes", "tool_input_size_bytes", FieldType::Int, false},
    {"tool_result_size_bytes", "tool_result_size_bytes", FieldType::Int, false},
    {"tool_parameters", "tool_parameters", FieldType::Json, false},
    {"tool_input", "tool_input", FieldType::Json, false},
    {"model", "model", FieldType::Text, true},
    {"cost_usd", "cost_usd", FieldType::Real, false},
    {"cost_usd_micros", "cost_usd_micros", FieldType::Int, false},
    {"input_tokens", "input_tokens", FieldType::Int, false},
    {"output_tokens", "output_tokens", FieldType::Int, false},
    {"cache_read_tokens", "cache_read_tokens", FieldType::Int, false},
    {"cache_creation_tokens", "cache_creation_tokens", FieldType::Int, false},
    {"request_id", "request_id", FieldType::Text, false},
    {"speed", "speed", FieldType::Text, false},
    {"query_source", "query_source", FieldType::Text, true},
    {"effort", "effort", FieldType::Text, false},
    {"error", "error", FieldType::Text, false},
    {"status_code", "status_code", FieldType::Int, false},
    {"attempt", "attempt", FieldType::Int, false},
    {"total_attempts", "total_attempts", FieldType::Int, false},
    {"total_retry_duration_ms", "total_retry_duration_ms", FieldType::Int, false},
    {"server_fallback_hop", "server_fallback_hop", FieldType::Bool, false},
    {"has_category", "has_category", FieldType::Bool, false},
    {"has_explanation", "has_explanation", FieldType::Bool, false},
    {"category", "category", FieldType::Text, false},
    {"agent_name", "agent.name", FieldType::Text, false},
    {"skill_name", "skill.name", FieldType::Text, false},
    {"skill_source", "skill.source", FieldType::Text, false},
    {"skill_kind", "skill.kind", FieldType::Text, false},
    {"invocation_trigger", "invocation_trigger", FieldType::Text, false},
    {"plugin_name", "plugin.name", FieldType::Text, false},
    {"plugin_version", "plugin.version", FieldType::Text, false},
    {"plugin_scope", "plugin.scope", FieldType::Text, false},
    {"plugin_id", "plugin_id", FieldType::Text, false},
    {"plugin_id_hash", "plugin_id_hash", FieldType::Text, false},
    {"marketplace_name", "marketplace.name", FieldType::Text, false},
    {"marketplace_is_official", "marketplace.is_official", FieldType::Bool, false},
    {"install_trigger", "install.trigger", FieldType::Text, false},
    {"enabled_via", "enabled_via", FieldType::Text, false},
    {"has_hooks", "has_hooks", FieldType::Bool, false},
    {"has_mcp", "has_mcp", FieldType::Bool, false},
    {"host_owned_mcp", "host_owned_mcp", FieldType::Bool, false},
    {"skill_path_count", "skill_path_count", FieldType::Int, false},
    {"command_path_count", "command_path_count", FieldType::Int, false},
    {"agent_path_count", "agent_path_count", FieldType::Int, false},
    {"safe_mode", "safe_mode", FieldType::Bool, false},
    {"mcp_server_name", "mcp_server.name", FieldType::Text, false},
    {"mcp_tool_name", "mcp_tool.name", FieldType::Text, false},
    {"body_ref", "body_ref", FieldType::Text, false},
    {"body_length", "body_length", FieldType::Int, false},
    {"body_truncated", "body_truncated", FieldType::Bool, false},
    {"from_mode", "from_mode", FieldType::Text, false},
    {"to_mode", "to_mode", FieldType::Text, false},
    {"trigger", "trigger", FieldType::Text, false},
    {"action", "action", FieldType::Text, false},
    {"auth_method", "auth_method", FieldType::Text, false},
    {"error_category", "error_category", FieldType::Text, false},
    {"status", "status", FieldType::Text, false},
    {"transport_type", "transport_type", FieldType::Text, false},
    {"server_scope", "server_scope", FieldType::Text, false},
    {"error_code", "error_code", FieldType::Text, false},
    {"is_plugin", "is_plugin", FieldType::Bool, false},
    {"server_name", "server_name", FieldType::Text, false},
    {"error_name", "error_name", FieldType::Text, false},
    {"mention_type", "mention_type", FieldType::Text, false},
    {"hook_event", "hook_event", FieldType::Text, false},
    {"hook_type", "hook_type", FieldType::Text, false},
    {"hook_source", "hook_source", FieldType::Text, false},
    {"hook_name", "hook_name", FieldType::Text, false},
    {"hook_matcher", "hook_matcher", FieldType::Text, false},
    {"hook_definitions", "hook_definitions", FieldType::Text, false},
    {"num_hooks", "num_hooks", FieldType::Int, false},
    {"num_success", "num_success", FieldType::Int, false},
    {"num_blocking", "num_blocking", FieldType::Int, false},
    {"num_non_blocking_error", "num_non_blocking_error", FieldType::Int, false},
    {"num_cancelled", "num_cancelled", FieldType::Int, false},
    {"total_duration_ms", "total_duration_ms", FieldType::Int, false},
    {"managed_only", "managed_only", FieldType::Bool, false},
    {"pre_tokens", "pre_tokens", FieldType::Int, false},
    {"post_tokens", "post_tokens", FieldType::Int, false},
    {"precompute_reuse", "precompute_reuse", FieldType::Text, false},
    {"event_type", "event_type", FieldType::Text, false},
    {"appearance_id", "appearance_id", FieldType::Text, false},
    {"survey_type", "survey_type", FieldType::Text, false},
    {"response", "response", FieldType::Text, false},
    {"enabled_via_override", "enabled_via_override", FieldType::Bool, false},
};

struct Index {
  std::unordered_map<std::string_view, int> byWireKey;
  std::unordered_map<std::string_view, int> byName;
  int maskBit[kFieldCount];

  Index() {
    int bit = 0;
    for (int i = 0; i < kFieldCount; ++i) {
      byWireKey.emplace(kFields[i].wireKey, i);
      byName.emplace(kFields[i].name, i);
      const FieldType t = kFields[i].type;
      const bool masked = t == FieldType::Int || t == FieldType::Bool || t == FieldType::Real ||
                          t == FieldType::Array;
      maskBit[i] = masked ? bit++ : -1;
    }
  }
};

const Index& index() {
  static const Index idx;
  return idx;
}

}  // namespace

const FieldDef* eventFields() { return kFields; }

int fieldForAttribute(std::string_view key) {
  // Only the exact wire key maps to a column, so the attribute can be given back under the key it was
  // sent with. Any other spelling stays an "extra" attribute, kept as sent.
  const Index& idx = index();
  auto it = idx.byWireKey.find(key);
  return it == idx.byWireKey.end() ? -1 : it->second;
}

int fieldByName(std::string_view name) {
  const Index& idx = index();
  auto it = idx.byName.find(name);
  return it == idx.byName.end() ? -1 : it->second;
}

int stringMaskBit(int i) { return i >= 0 && i < kFieldCount ? index().maskBit[i] : -1; }

}  // namespace cctv::model
