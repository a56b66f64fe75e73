package io.asyncsql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Connection} proxy that remembers the statements it creates, so that work
 * running on another thread can be cancelled at the database with
 * {@link Statement#cancel()}.
 * <p>
 * Closing the proxy does nothing: the engine owns the physical connection and decides
 * when it goes back to the pool. Once {@link #cancel() cancelled}, the proxy refuses to
 * create statements until {@link #reset()}, so cancelled work cannot start a new one.
 */
final class TrackedConnection implements InvocationHandler {

	private final Connection target;

	private final Connection proxy;

	private final List<Statement> statements = new ArrayList<>(2);

	private boolean cancelled;

	TrackedConnection(Connection target) {
		this.target = target;
		this.proxy = (Connection) Proxy.newProxyInstance(TrackedConnection.class.getClassLoader(),
				new Class<?>[] { Connection.class }, this);
	}

	Connection getTarget() {
		return this.target;
	}

	Connection getProxy() {
		return this.proxy;
	}

	@Override
	public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		String name = method.getName();
		switch (name) {
			case "close":
				return null;
			case "equals":
				return proxy == args[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			case "toString":
				return "async-sql tracked connection [" + this.target + "]";
			default:
		}
		boolean createsStatement = name.equals("createStatement") || name.equals("prepareStatement")
				|| name.equals("prepareCall");
		if (createsStatement) {
			assertNotCancelled();
		}
		Object result;
		try {
			result = method.invoke(this.target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
		if (createsStatement) {
			track((Statement) result);
		}
		return result;
	}

	private synchronized void assertNotCancelled() throws SQLException {
		if (this.cancelled) {
			throw new SQLException("The operation using this connection was cancelled", "57014");
		}
	}

	/**
	 * Return the tracker behind a connection handed to engine work.
	 * @param connection the connection the work received
	 * @return the tracker, or {@code null} for a connection the engine did not wrap
	 */
	static @Nullable TrackedConnection of(Connection connection) {
		if (Proxy.isProxyClass(connection.getClass())
				&& Proxy.getInvocationHandler(connection) instanceof TrackedConnection tracked) {
			return tracked;
		}
		return null;
	}

	/**
	 * Track a statement created by earlier work (a stream's), so that cancelling the
	 * current work cancels it too.
	 */
	synchronized void track(Statement statement) throws SQLException {
		this.statements.removeIf(TrackedConnection::isClosed);
		this.statements.add(statement);
		if (this.cancelled) {
			statement.cancel();
		}
	}

	/**
	 * Cancel every open statement of the current work and refuse new ones.
	 */
	void cancel() {
		List<Statement> open;
		synchronized (this) {
			this.cancelled = true;
			open = new ArrayList<>(this.statements);
		}
		for (Statement statement : open) {
			try {
				if (!statement.isClosed()) {
					statement.cancel();
				}
			}
			catch (SQLException | RuntimeException ex) {
				// The statement finished or its connection broke: nothing left to cancel.
			}
		}
	}

	/**
	 * Return the query timeout a new statement of this connection starts with. Most
	 * drivers keep a timeout per statement, so this is 0; H2 keeps it in the session,
	 * where a deadline's timeout would outlive its call.
	 * @return the timeout in seconds, 0 for none
	 * @throws SQLException if the connection is broken
	 */
	int sessionQueryTimeout() throws SQLException {
		try (Statement statement = this.target.createStatement()) {
			return statement.getQueryTimeout();
		}
	}

	/**
	 * Put back the session's query timeout after work that ran with a deadline.
	 * @param seconds what {@link #sessionQueryTimeout()} returned before the work
	 */
	void restoreSessionQueryTimeout(int seconds) {
		try (Statement statement = this.target.createStatement()) {
			if (statement.getQueryTimeout() != seconds) {
				statement.setQueryTimeout(seconds);
			}
		}
		catch (SQLException ex) {
			// A broken connection: the pool discards it when it comes back.
		}
	}

	/**
	 * Forget the statements of finished work and accept new ones.
	 */
	synchronized void reset() {
		this.cancelled = false;
		this.statements.clear();
	}

	private static boolean isClosed(Statement statement) {
		try {
			return statement.isClosed();
		}
		catch (SQLException ex) {
			return true;
		}
	}

}
