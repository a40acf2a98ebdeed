/// The platform's own variables and the `.env.example` files, which `ingestctl env` prints.
///
/// The files are generated, never edited by hand, and a test keeps each equal to `ingestctl env`'s output:
/// the root `.env.example` holds the platform's variables (`ingestctl env --platform`), each source folder's
/// `.env.example` that source's (`ingestctl env <source>`, declared in `Source.variables`), so a new source
/// changes nothing outside its folder. `ingestctl env` alone prints all of them.
public enum EnvironmentFile {
    /// A titled group of variables, printed as `# --- title ---`.
    public struct Section: Sendable {
        public var title: String
        public var variables: [SourceVariable]

        public init(_ title: String, _ variables: [SourceVariable]) {
            self.title = title
            self.variables = variables
        }
    }

    /// Variables IngestKit itself reads, whatever the source.
    public static let platform: [Section] = [
        Section("platform", [
            SourceVariable("INGEST_HOME", "where the embedded default keeps its files (bronze folder, SQLite warehouse); default .ingest", example: ".ingest"),
            SourceVariable("WAREHOUSE_URL", "warehouse for silver, models and state; unset: SQLite files in $INGEST_HOME/warehouse",
                           example: "postgres://ingest:password@127.0.0.1:5432/warehouse"),
            SourceVariable("LAKEHOUSE_URL", "bronze (raw artifacts); unset: a folder, $INGEST_HOME/lakehouse; s3://<bucket>[/<prefix>]: an S3-compatible bucket, created if missing",
                           example: "s3://lakehouse"),
            SourceVariable("MINIO_ENDPOINT", "S3-compatible server (path-style); unset: AWS S3, https://<bucket>.s3.<region>.amazonaws.com",
                           example: "http://127.0.0.1:9000"),
            SourceVariable("MINIO_ACCESS_KEY", "access key of the S3 key pair", secret: true),
            SourceVariable("MINIO_SECRET_KEY", "secret key of the S3 key pair", secret: true),
            SourceVariable("S3_REGION", "signing region; default us-east-1", example: "us-east-1"),
            SourceVariable("INGEST_LOG_LEVEL", "level of ingestctl's log lines on stderr (trace, debug, info, notice, warning, error); default warning",
                           example: "warning"),
            SourceVariable("INGEST_LOCK_WAIT_SECONDS", "longest wait, in seconds, for another run of the same dataset to finish before this run fails; default 900",
                           example: "900"),
            SourceVariable("INGEST_SQL_LOG", "write every SQL statement the warehouse runs to this file (binds inlined), e.g. to replay with psql -f",
                           example: "/tmp/ingest.sql"),
            SourceVariable("PUSHGATEWAY_URL", "push each run's metrics to this Prometheus Pushgateway; http://user:pass@host:9091 sends Basic auth",
                           example: "http://127.0.0.1:9091"),
            SourceVariable("OPENLINEAGE_URL", "send OpenLineage run events to this OpenLineage HTTP API (POST <url>/api/v1/lineage)"),
            SourceVariable("OPENLINEAGE_FILE", "append OpenLineage run events as JSON lines to this file (when OPENLINEAGE_URL is unset)"),
            SourceVariable("OPENLINEAGE_NAMESPACE", "the events' job namespace; default ingestkit", example: "ingestkit"),
        ]),
        Section("Airflow workers (read by the generated DAGs' tasks, see Docs/Airflow.md)", [
            SourceVariable("INGESTCTL_BIN", "the ingestctl binary; unset: ingestctl on PATH", example: "/usr/local/bin/ingestctl"),
            SourceVariable("INGESTCTL_WORKDIR", "the folder a task runs in (where a .env would be); unset: Airflow's temporary folder",
                           example: "/srv/ingest"),
        ]),
        Section("tests (set by scripts/test.sh)", [
            SourceVariable("INGEST_TEST_POSTGRES_URL", "the test PostgreSQL", example: "postgres://ingest:password@127.0.0.1:PORT/ingest_test"),
            SourceVariable("INGEST_TEST_S3_ENDPOINT", "moto, no signature checks", example: "http://127.0.0.1:PORT"),
            SourceVariable("INGEST_TEST_S3_AUTH_ENDPOINT", "moto, verifies SigV4 for the key pair below", example: "http://127.0.0.1:PORT"),
            SourceVariable("INGEST_TEST_S3_AUTH_ACCESS_KEY", "access key for the verifying moto", secret: true),
            SourceVariable("INGEST_TEST_S3_AUTH_SECRET_KEY", "secret key for the verifying moto", secret: true),
            SourceVariable("INGEST_TEST_AIRFLOW", "the virtual environment with apache-airflow", example: ".build/airflow-3.3.2"),
        ]),
    ]

    /// Everything `ingestctl env` prints with no argument: a header, the platform's sections, then one
    /// section per source (sorted by name). A variable two sources share is listed under the first only.
    public static func render(sources: [any Source]) -> String {
        var sections = [platform[0]]
        var seen = Set(platform.flatMap(\.variables).map(\.name))
        for source in sources.sorted(by: { $0.name < $1.name }) {
            let fresh = source.variables.filter { seen.insert($0.name).inserted }
            if !fresh.isEmpty { sections.append(Section(source.name, fresh)) }
        }
        sections.append(contentsOf: platform.dropFirst())
        return allHeader + text(of: sections)
    }

    /// The repository's root `.env.example` (`ingestctl env --platform`): the platform's own variables, and
    /// where each source's are. Adding a source does not change it.
    public static func renderPlatform() -> String {
        platformHeader + text(of: platform)
    }

    /// A source's `Sources/Sources/<Name>/.env.example` (`ingestctl env <source>`): its variables (those the
    /// platform declares left out), in declaration order. `ingestctl new` writes it with the folder.
    public static func render(source name: String, variables: [SourceVariable]) -> String {
        let platformNames = Set(platform.flatMap(\.variables).map(\.name))
        return sourceHeader(name) + text(of: [Section(name, variables.filter { !platformNames.contains($0.name) })])
    }

    /// The two lines of one variable: `# purpose[ (secret)]` and `# NAME=example` (no example for a secret).
    public static func lines(of variable: SourceVariable) -> String {
        "# \(variable.purpose)\(variable.isSecret ? " (secret)" : "")\n# \(variable.name)=\(variable.isSecret ? "" : variable.example)\n"
    }

    static let allHeader = """
        # IngestKit configuration: every variable of the platform and of every registered source, printed by
        # `ingestctl env`. Copy to .env and set what you need; the environment overrides .env.
        # (secret): the value never reaches logs, errors, bronze metadata or the ledger.

        """

    static let platformHeader = """
        # IngestKit's own variables, generated by `ingestctl env --platform` (a test keeps this file equal to it).
        # Each source's variables are in its folder, Sources/Sources/<Name>/.env.example (`ingestctl env <source>`);
        # `swift run ingestctl env > .env` writes a template of every variable of every source at once.
        # Set values in .env in the working directory (git-ignored); the environment overrides .env.
        # (secret): the value never reaches logs, errors, bronze metadata or the ledger.

        """

    static func sourceHeader(_ name: String) -> String {
        """
        # The variables of the source \(name), generated by `ingestctl env \(name)` (a test keeps this file equal to it:
        # declare them in the source's `variables`, then `swift run ingestctl env \(name) > <this folder>/.env.example`).
        # Set values in .env in the repository's root (git-ignored); the environment overrides .env.
        # The platform's own variables: .env.example in the repository's root. (secret): never logged or stored.

        """
    }

    static func text(of sections: [Section]) -> String {
        var text = ""
        for section in sections {
            text += "\n# --- \(section.title) ---\n"
            for variable in section.variables { text += lines(of: variable) }
        }
        return text
    }
}
