/// What each command does to the state; every refusal is deterministic.
extension FleetState {
    mutating func putEnvironment(_ record: EnvironmentRecord) -> FleetOutcome {
        guard EnvironmentRecord.isValidName(record.name) else { return .rejected(.invalidName(record.name)) }
        guard Self.approvalTimeoutSecondsRange.contains(record.approvalTimeoutSeconds) else {
            return .rejected(.invalidApprovalTimeout(record.approvalTimeoutSeconds))
        }
        let created = environments[record.name] == nil
        if created, environments.count >= Self.environmentsMaximum {
            return .rejected(.tooManyEnvironments(maximum: Self.environmentsMaximum))
        }
        environments[record.name] = record
        return .environmentStored(record, created: created)
    }

    /// Unconditional: the meaning of entries written before `deleteUnusedEnvironment`, which
    /// replicas replaying them must keep. A node recorded in it keeps naming it.
    mutating func deleteEnvironment(_ name: String) -> FleetOutcome {
        guard environments.removeValue(forKey: name) != nil else { return .rejected(.notFound(name)) }
        moduleSigningKeys[name] = nil
        rolloutPolicies[name] = nil
        approvalWebhooks[name] = nil
        return .environmentDeleted(name: name)
    }

    /// Refused while a node is recorded in the environment: deleting it would leave that
    /// node's record naming an environment that no longer exists.
    mutating func deleteUnusedEnvironment(_ name: String) -> FleetOutcome {
        guard environments[name] != nil else { return .rejected(.notFound(name)) }
        let members = nodes.values.filter { $0.environment == name }
        if let example = members.map(\.id).min() {
            return .rejected(.environmentInUse(name, nodes: members.count, example: example))
        }
        return deleteEnvironment(name)
    }

    mutating func putMember(_ record: ClusterMemberRecord) -> FleetOutcome {
        if members[record.name] == nil, members.count >= Self.membersMaximum {
            return .rejected(.tooManyMembers(maximum: Self.membersMaximum))
        }
        members[record.name] = record
        return .memberStored(record)
    }

    mutating func deleteMember(_ name: String) -> FleetOutcome {
        members[name] = nil
        advertised[name] = nil
        return .memberDeleted(name: name)
    }

    mutating func publish(_ addresses: AdvertisedAddresses) -> FleetOutcome {
        if advertised[addresses.name] == nil, advertised.count >= Self.membersMaximum {
            return .rejected(.tooManyMembers(maximum: Self.membersMaximum))
        }
        advertised[addresses.name] = addresses
        return .addressesPublished(addresses)
    }

    mutating func putNode(_ record: NodeRecord) -> FleetOutcome {
        guard !record.id.isEmpty, record.id.utf8.count <= NodeRecord.labelKeyBytesMaximum else {
            return .rejected(.invalidNode("id '\(record.id)' must be 1-\(NodeRecord.labelKeyBytesMaximum) bytes"))
        }
        if let reason = record.invalidity { return .rejected(.invalidNode(reason)) }
        if let refusal = enrolledEnvironmentRefusal(node: record.id, reports: record.environment) {
            return .rejected(.invalidNode(refusal))
        }
        let created = nodes[record.id] == nil
        if created, nodes.count >= Self.nodesMaximum {
            return .rejected(.tooManyNodes(maximum: Self.nodesMaximum))
        }
        nodes[record.id] = record
        return .nodeStored(record, created: created)
    }

    mutating func deleteNode(_ id: String) -> FleetOutcome {
        guard nodes.removeValue(forKey: id) != nil else { return .rejected(.unknownNode(id)) }
        return .nodeDeleted(id: id)
    }

    /// Puts a new key first and keeps the newest `ticketKeysMaximum`; a key
    /// already held (a retried proposal) changes nothing.
    mutating func addTicketKey(_ record: TicketKeyRecord) -> FleetOutcome {
        guard record.isWellFormed else { return .rejected(.malformedTicketKey) }
        if !ticketKeys.contains(where: { $0.name == record.name }) {
            ticketKeys = Array(([record] + ticketKeys).prefix(Self.ticketKeysMaximum))
        }
        return .ticketKeyAdded(nameHex: record.nameHex)
    }

    /// Revoking a name no node ever used is allowed (a lost host may never have reported).
    /// A name already revoked keeps the later of the two times, so replaying or repeating a
    /// revocation never un-denies a certificate.
    mutating func revokeNode(_ revocation: NodeRevocation) -> FleetOutcome {
        guard NodeRevocation.isValidNode(revocation.node) else {
            return .rejected(.invalidNode(NodeRevocation.invalidNodeReason))
        }
        guard let held = revocations[revocation.node] else {
            guard revocations.count < Self.revocationsMaximum else {
                return .rejected(.tooManyRevocations(maximum: Self.revocationsMaximum))
            }
            revocations[revocation.node] = revocation
            return .nodeRevoked(revocation)
        }
        let kept = held.revokedAtMilliseconds >= revocation.revokedAtMilliseconds ? held : revocation
        revocations[revocation.node] = kept
        return .nodeRevoked(kept)
    }

    mutating func unrevokeNode(_ name: String) -> FleetOutcome {
        guard revocations.removeValue(forKey: name) != nil else { return .rejected(.notRevoked(name)) }
        return .nodeUnrevoked(name: name)
    }
}
