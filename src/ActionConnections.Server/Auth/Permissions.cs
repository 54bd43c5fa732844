namespace ActionConnections.Auth;

/// <summary>The permissions this service checks, under Datadog's permission names.</summary>
[Flags]
internal enum Permission : long
{
    None = 0,
    ConnectionsRead = 1 << 0,
    ConnectionWrite = 1 << 1,
    ConnectionsResolve = 1 << 2,
    OrgAppKeysRead = 1 << 3,
    OrgAppKeysWrite = 1 << 4,
    UserAppKeys = 1 << 5,
    UserAccessManage = 1 << 6,
    ServiceAccountWrite = 1 << 7,
    ApiKeysRead = 1 << 8,
    ApiKeysWrite = 1 << 9,
    ApiKeysDelete = 1 << 10,
    AuditLogsRead = 1 << 11,
    UserAccessRead = 1 << 12,
    All = (1 << 13) - 1,
}

internal static class Permissions
{
    /// <summary>Datadog permission name → flag, for the permissions this service enforces.</summary>
    public static readonly IReadOnlyDictionary<string, Permission> ByName = new Dictionary<string, Permission>(StringComparer.Ordinal)
    {
        ["connections_read"] = Permission.ConnectionsRead,
        ["connection_write"] = Permission.ConnectionWrite,
        ["connections_resolve"] = Permission.ConnectionsResolve,
        ["org_app_keys_read"] = Permission.OrgAppKeysRead,
        ["org_app_keys_write"] = Permission.OrgAppKeysWrite,
        ["user_app_keys"] = Permission.UserAppKeys,
        ["user_access_manage"] = Permission.UserAccessManage,
        ["service_account_write"] = Permission.ServiceAccountWrite,
        ["api_keys_read"] = Permission.ApiKeysRead,
        ["api_keys_write"] = Permission.ApiKeysWrite,
        ["api_keys_delete"] = Permission.ApiKeysDelete,
        ["audit_logs_read"] = Permission.AuditLogsRead,
        ["user_access_read"] = Permission.UserAccessRead,

        // Seen as a scope on real keys (docs/reference/KEY-MANAGEMENT.md §7) although the spec's permission is
        // the singular connection_write; accepted so real-world scope lists keep working.
        ["connections_write"] = Permission.ConnectionWrite,
    };

    /// <summary>
    /// Every other Datadog permission name (docs/reference/KEY-MANAGEMENT.md appendix). They are valid scope
    /// names, so scope lists written for Datadog are accepted, but grant nothing here.
    /// </summary>
    public static readonly IReadOnlySet<string> OtherDatadogNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "agent_upgrade_write", "apm_api_catalog_read", "apm_api_catalog_write", "apm_generate_metrics", "apm_read",
        "apm_retention_filter_read", "apm_retention_filter_write", "apm_service_catalog_read", "apm_service_catalog_write",
        "apps_datastore_manage", "apps_datastore_read", "apps_datastore_write", "apps_run", "apps_write", "appsec_protect_read",
        "appsec_protect_write", "appsec_vm_read", "appsec_vm_write", "aws_configuration_edit", "aws_configuration_read",
        "aws_configurations_manage", "billing_edit", "billing_read", "bits_investigations_read", "bits_investigations_write",
        "ci_visibility_read", "cloud_cost_management_read", "cloud_cost_management_write", "code_coverage_read",
        "dashboards_embed_share", "dashboards_read", "dashboards_write", "dashboards_public_share", "data_scanner_read", "data_scanner_write",
        "deployment_gates_evaluate", "deployment_gates_read", "deployment_gates_write", "dora_metrics_read", "dora_metrics_write",
        "events_read", "feature_flag_config_read", "feature_flag_config_write", "feature_flag_environment_config_read",
        "feature_flag_environment_config_write", "fleet_policies_write", "gcp_configuration_edit", "gcp_configuration_read",
        "gcp_configurations_manage", "generate_dashboard_reports", "generate_log_reports", "hosts_read",
        "incident_notification_settings_read", "incident_notification_settings_write", "incident_read", "incident_settings_read",
        "incident_settings_write", "incident_write", "integrations_read", "logs_delete_data", "logs_generate_metrics",
        "logs_read_archives", "logs_read_config", "logs_read_data", "logs_write_archives", "logs_write_forwarding_rules",
        "manage_integrations", "manage_log_reports", "metric_tags_write", "metrics_read", "monitor_config_policy_write",
        "monitors_downtime", "monitors_read", "monitors_write", "observability_pipelines_delete", "observability_pipelines_deploy",
        "observability_pipelines_read", "on_call_read", "on_call_respond", "on_call_write", "org_connections_read",
        "org_connections_write", "org_group_read", "org_group_write", "org_management", "product_analytics_saved_widgets_read",
        "product_analytics_saved_widgets_write", "rum_apps_read", "rum_apps_write", "rum_delete_data",
        "security_monitoring_cws_agent_rules_read", "security_monitoring_cws_agent_rules_write", "security_monitoring_filters_read",
        "security_monitoring_filters_write", "security_monitoring_findings_read", "security_monitoring_findings_write",
        "security_monitoring_notification_profiles_read", "security_monitoring_notification_profiles_write",
        "security_monitoring_rules_read", "security_monitoring_rules_write", "security_monitoring_signals_read",
        "security_monitoring_signals_write", "security_monitoring_suppressions_write", "slos_read", "status_pages_incident_write",
        "status_pages_internal_page_publish", "status_pages_public_page_publish", "status_pages_settings_read",
        "status_pages_settings_write", "synthetics_create_edit_trigger", "synthetics_global_variable_write", "synthetics_read",
        "synthetics_write", "teams_manage", "teams_read", "test_optimization_read", "test_optimization_settings_write",
        "test_optimization_write", "timeseries_query", "usage_read", "user_access_invite", "workflows_read",
        "workflows_run", "workflows_write",
    };

    /// <summary>Checks scope names; returns the unknown ones (empty when all are valid).</summary>
    public static IReadOnlyList<string> UnknownScopes(IEnumerable<string> scopes) =>
        [.. scopes.Where(s => !ByName.ContainsKey(s) && !OtherDatadogNames.Contains(s))];

    /// <summary>The permissions a scope list grants (before intersecting with the owner's).</summary>
    public static Permission FromScopes(IEnumerable<string>? scopes)
    {
        if (scopes is null)
        {
            return Permission.All;
        }

        var granted = Permission.None;
        foreach (var scope in scopes)
        {
            if (ByName.TryGetValue(scope, out var p))
            {
                granted |= p;
            }
        }

        return granted;
    }
}
