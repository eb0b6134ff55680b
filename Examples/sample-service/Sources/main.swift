import Glibc

// The sample module's service (Docs/MODULES.md, "The sample module"): a small HTTP server on
// 127.0.0.1 that answers GET /healthz and GET / with its version, one connection at a time,
// and shows the flaw it was started with. SIGTERM and SIGINT end it at once.

let options: SampleOptions
switch SampleOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case let .success(parsed):
    options = parsed
case .failure(.help):
    SampleOutput.write(SampleOptions.usage + "\n", to: STDOUT_FILENO)
    exit(0)
case let .failure(.invalid(reason)):
    SampleOutput.write("hotswap-sample-service: \(reason)\n\(SampleOptions.usage)\n", to: STDERR_FILENO)
    exit(2)
}

signal(SIGTERM) { _ in _exit(0) }
signal(SIGINT) { _ in _exit(0) }
signal(SIGPIPE, SIG_IGN)

let flaw = FlawSchedule(flaw: options.flaw, afterSeconds: options.flawAfterSeconds)
let listener: Int32
do {
    listener = try SampleListener.open(port: options.port)
} catch {
    SampleOutput.fail("\(error)")
}
flaw.startWorker()
SampleOutput.write("hotswap-sample-service \(options.version) listening on 127.0.0.1:\(options.port), flaw \(options.flaw.rawValue)\n",
                   to: STDOUT_FILENO)
while true {
    let client = accept(listener, nil, nil)
    guard client >= 0 else {
        if errno == EINTR || errno == ECONNABORTED { continue }
        SampleOutput.fail("accept failed, errno \(errno)")
    }
    SampleListener.answer(client, version: options.version, flaw: flaw)
    close(client)
}
