import AcmePortal
import IngestKit
import TalentPortal

/// The sources `ingestctl` knows. To add one: add its target as a dependency of
/// `ingestctl` in Package.swift, import it here and list it.
let registeredSources = SourceRegistry([
    AcmePortalSource(),
    TalentPortalSource(),
])
