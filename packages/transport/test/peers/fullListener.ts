// A TCP listener on 127.0.0.1 whose accept queue is full, so a new connect to it hangs (the
// kernel drops the SYN) the way a connect to an unreachable host does. A python3 process
// (python3 is on every machine of this kind; node's own server accepts every connection)
// listens with a backlog of 0, never accepts, and fills the queue with its own connects.
import { Effect } from "effect"
import { spawnPeer } from "./peerProcess.js"

const program = `
import socket, sys, time
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(0)
port = server.getsockname()[1]
fillers = []
for _ in range(4):
    filler = socket.socket()
    filler.setblocking(False)
    try:
        filler.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fillers.append(filler)
time.sleep(0.2)
print(f"LISTENING {port}", flush=True)
sys.stdin.read()
`

/** The listener, stopped with the scope. */
export const fullListener = Effect.acquireRelease(
  Effect.promise(async () => {
    const peer = await spawnPeer({ name: "python3 full listener", command: "python3", args: ["-c", program] })
    const match = await peer.waitForOutput(/LISTENING (\d+)/)
    return { port: Number(match[1]), stop: () => peer.stop() }
  }),
  (listener) => Effect.promise(() => listener.stop()),
)
