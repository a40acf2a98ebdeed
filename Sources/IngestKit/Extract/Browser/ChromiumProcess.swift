import Foundation
import IngestCommon
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A chromium process in its own process group, ended as a group.
///
/// A watchdog shell in the same group ends the group when the process that
/// started chromium dies (SIGKILL, SIGTERM, a crash), so no browser outlives
/// its run even when no Swift code gets to clean up.
final class ChromiumProcess: Sendable {
    let pid: pid_t
    let watchdog: pid_t?
    let profileDirectory: String
    let logPath: String
    private let ended = Mutex(false)

    private init(pid: pid_t, watchdog: pid_t?, profileDirectory: String, logPath: String) {
        self.pid = pid
        self.watchdog = watchdog
        self.profileDirectory = profileDirectory
        self.logPath = logPath
    }

    static func launch(executable: String, extraArguments: [String]) throws -> ChromiumProcess {
        let base = NSTemporaryDirectory() + "ingestkit-chromium-" + UUID().uuidString.prefix(8).lowercased()
        let profile = base + "/profile"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        let log = base + "/chromium.log"
        var arguments = [
            executable, "--headless=new", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
            "--user-data-dir=\(profile)", "--no-first-run", "--no-default-browser-check", "--disable-gpu",
            "--disable-dev-shm-usage", "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--disable-component-update", "--mute-audio", "--password-store=basic",
            "--disable-crash-reporter",
        ]
        if geteuid() == 0 { arguments.append("--no-sandbox") }
        arguments += extraArguments
        arguments.append("about:blank")
        // Crashpad's handlers start in sessions of their own (outside the group) and end when the
        // browser ends; XDG_CONFIG_HOME puts their database, and so their command lines, under `base`.
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CONFIG_HOME"] = base + "/config"
        let pid = try spawn(arguments, group: 0, output: log, environment: environment)
        // The watchdog joins chromium's group: ending the group ends it too.
        let script = """
            P=$1; G=$2; D=$3
            while kill -0 "$P" 2>/dev/null; do
              read -r line < /proc/$P/stat 2>/dev/null || break
              set -- $line
              [ "$3" = Z ] && break
              kill -0 "$G" 2>/dev/null || exit 0
              sleep 0.2
            done
            rm -rf "$D"
            kill -9 -"$G"
            """
        let watchdog = try? spawn(["/bin/sh", "-c", script, "ingestkit-browser-watchdog", String(getpid()), String(pid), base],
                                  group: pid, output: "/dev/null", environment: ProcessInfo.processInfo.environment)
        return ChromiumProcess(pid: pid, watchdog: watchdog, profileDirectory: profile, logPath: log)
    }

    /// `posix_spawn` with the child in process group `group` (0: a new group led by the child).
    private static func spawn(_ arguments: [String], group: pid_t, output: String, environment: [String: String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, group)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours: an inherited listening socket or pipe would outlive its owner in chromium
        // (a port that cannot be bound again, a pipe that never reaches end of file).
        closeInheritedDescriptors(&actions)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw IngestError("could not start \(arguments[0]): \(String(cString: strerror(status)))",
                              fix: "check CHROMIUM_PATH, or install chromium (apt-get install -y chromium)")
        }
        return pid
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+; Swift's Glibc module does not
    /// export it), else a close action for every descriptor from 3 open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// Whether chromium's main process has exited (reaping it if so).
    var hasExited: Bool {
        ended.withLock { done in
            if done { return true }
            var status: Int32 = 0
            return waitpid(pid, &status, WNOHANG) == pid
        }
    }

    /// The last lines of chromium's own log, for error messages.
    func logTail(_ lines: Int = 8) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Kills the whole group (browser, its helpers, the watchdog), reaps the processes
    /// it started and removes the profile. Safe to call more than once and from a cancelled task.
    func terminate() async {
        let first = ended.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        kill(-pid, SIGKILL)
        let children = [pid] + (watchdog.map { [$0] } ?? [])
        let group = pid
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // waitpid blocks until the kernel has ended each one (milliseconds after SIGKILL); keep it off the task pool.
            Thread.detachNewThread {
                for child in children {
                    var status: Int32 = 0
                    while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                }
                // The helpers (renderers, zygotes) were chromium's children: once reparented they die and are
                // reaped by init a moment later. Return when the group is empty (bounded at about 2 s).
                for _ in 0..<200 where kill(-group, 0) == 0 {
                    kill(-group, SIGKILL)
                    usleep(10_000)
                }
                continuation.resume()
            }
        }
        try? FileManager.default.removeItem(atPath: (profileDirectory as NSString).deletingLastPathComponent)
    }

    /// Last resort when nobody called `terminate()`: end the group synchronously.
    deinit {
        if !ended.withLock({ $0 }) { kill(-pid, SIGKILL) }
    }
}
