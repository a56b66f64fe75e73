package io.asyncsql.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between the soak's pool and the database, so that the network can be
 * stalled (bytes held back in both directions, connections left open) and cut (every open
 * connection closed at once) while the database itself stays up. One platform thread a
 * direction a connection: a few dozen connections at most.
 */
final class TcpProxy implements AutoCloseable {

	private final ServerSocket server;

	private final InetSocketAddress target;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final Object gate = new Object();

	private volatile boolean stalled;

	private volatile boolean closed;

	TcpProxy(String targetHost, int targetPort) throws IOException {
		this.target = new InetSocketAddress(targetHost, targetPort);
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "soak-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Hold back every byte in both directions until {@link #resume()}.
	 */
	void stall() {
		this.stalled = true;
	}

	void resume() {
		synchronized (this.gate) {
			this.stalled = false;
			this.gate.notifyAll();
		}
	}

	/**
	 * Close every open connection, as a network failure would; new ones are accepted.
	 * @return how many sockets were closed
	 */
	int cut() {
		int count = 0;
		for (Socket socket : this.sockets) {
			closeQuietly(socket);
			count++;
		}
		return count;
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				Socket upstream = new Socket();
				try {
					upstream.connect(this.target, 5_000);
				}
				catch (IOException ex) {
					closeQuietly(client);
					closeQuietly(upstream);
					continue;
				}
				client.setTcpNoDelay(true);
				upstream.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(upstream);
				pump(client, upstream, "up");
				pump(upstream, client, "down");
			}
			catch (IOException ex) {
				if (this.closed) {
					return;
				}
			}
		}
	}

	private void pump(Socket from, Socket to, String direction) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					awaitFlow();
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// The other side closed, or the connection was cut: close both.
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "soak-proxy-" + direction);
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitFlow() throws InterruptedException {
		if (!this.stalled) {
			return;
		}
		synchronized (this.gate) {
			while (this.stalled && !this.closed) {
				this.gate.wait(100);
			}
		}
	}

	private void closeQuietly(Socket socket) {
		this.sockets.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		resume();
		this.server.close();
		cut();
	}

}
