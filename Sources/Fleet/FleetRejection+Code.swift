/// The API's error code of each refusal: the `error.code` of its answer, and what an audit record's
/// `refused:CODE` outcome names.
extension FleetRejection {
    public var code: String {
        switch self {
        case .notFound, .unknownNode, .notRevoked, .unknownUser, .unknownModule, .unknownDeployment: "not_found"
        case .tooManyEnvironments, .tooManyMembers, .tooManyNodes, .tooManyRevocations, .tooManyUsers, .tooManyModules,
             .tooManyModuleVersions, .tooManyModuleVersionsInAll, .tooManyDeployments: "limit_reached"
        case .invalidName, .invalidApprovalTimeout: "invalid_environment"
        case .invalidNode: "invalid_node"
        case .malformedTicketKey: "invalid_ticket_key"
        case .environmentInUse: "environment_in_use"
        case .invalidUserName, .bootstrapNotAdmin: "invalid_user"
        case .userExists: "user_exists"
        case .lastAdmin: "last_admin"
        case .malformedPasswordDigest: "invalid_password_digest"
        case .malformedSigningKey: "invalid_signing_key"
        case .signingKeyExists: "signing_key_exists"
        case .invalidKeyOverlap: "invalid_overlap"
        case .invalidModule: "invalid_module"
        case .moduleVersionExists, .moduleSignatureDiffers: "module_version_exists"
        case .invalidModuleSigningKeys: "invalid_module_signing_keys"
        case .invalidDeployment: "invalid_deployment"
        case .deploymentExists: "deployment_exists"
        case .deploymentInProgress: "deployment_in_progress"
        case .invalidTransition: "invalid_transition"
        case .approvalExpired: "approval_expired"
        case .invalidDeploymentStep: "invalid_deployment_step"
        case .invalidRolloutPolicy: "invalid_rollout_policy"
        case .invalidApprovalWebhook: "invalid_approval_webhook"
        case .invalidJoinToken: "invalid_join_token"
        case .tooManyJoinTokens: "limit_reached"
        case .unknownJoinToken: "not_found"
        case .joinTokenRefused: "join_token_refused"
        case .moduleInUse: "module_in_use"
        case .selfApproval: "self_approval"
        }
    }
}
