package io.asyncsql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on the loopback interface that forwards to a server and can fail like a
 * network: {@link #stall()} stops forwarding bytes (in both directions, for every
 * connection, new ones included) until {@link #heal()}, and {@link #cut()} closes every
 * connection it carries.
 */
final class FaultyProxy implements AutoCloseable {

	private final String targetHost;

	private final int targetPort;

	private final ServerSocket server;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final ExecutorService threads;

	private final Object flow = new Object();

	private boolean stalled;

	FaultyProxy(String targetHost, int targetPort) throws IOException {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		AtomicInteger count = new AtomicInteger();
		this.threads = Executors.newCachedThreadPool((runnable) -> {
			Thread thread = new Thread(runnable, "faulty-proxy-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		this.threads.execute(this::accept);
	}

	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Stop forwarding: bytes already sent wait in the proxy, as on a dead link.
	 */
	void stall() {
		synchronized (this.flow) {
			this.stalled = true;
		}
	}

	/**
	 * Forward again, held bytes first.
	 */
	void heal() {
		synchronized (this.flow) {
			this.stalled = false;
			this.flow.notifyAll();
		}
	}

	/**
	 * Close every connection carried so far; new connections still go through.
	 */
	void cut() {
		for (Socket socket : this.sockets) {
			closeQuietly(socket);
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		heal();
		cut();
		this.threads.shutdownNow();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				continue;
			}
			this.sockets.add(client);
			try {
				Socket upstream = new Socket(this.targetHost, this.targetPort);
				this.sockets.add(upstream);
				this.threads.execute(() -> pump(client, upstream));
				this.threads.execute(() -> pump(upstream, client));
			}
			catch (IOException ex) {
				// The target refused: the client sees its connection fail.
				closeQuietly(client);
			}
		}
	}

	private void pump(Socket from, Socket to) {
		byte[] buffer = new byte[8192];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) >= 0) {
				awaitFlowing();
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException ex) {
			// Cut, or the other side went away.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private void awaitFlowing() throws InterruptedException {
		synchronized (this.flow) {
			while (this.stalled) {
				this.flow.wait();
			}
		}
	}

	private void closeQuietly(Socket socket) {
		this.sockets.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed.
		}
	}

}
