package io.asyncsql;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that lets a test watch or disturb what happens to its connections, as a
 * driver or a database would: hooks run on each connection it hands out and before calls
 * to a {@link Connection} method, and may throw to fail that call. The one test helper
 * for this, rather than a hand-written connection proxy per test.
 */
final class InterceptingDataSource extends DelegatingDataSource {

	private final List<ConnectionHook> onGetConnection = new CopyOnWriteArrayList<>();

	private final Map<String, List<CallHook>> beforeCall = new ConcurrentHashMap<>();

	InterceptingDataSource(DataSource target) {
		super(target);
	}

	/**
	 * Run the hook on every connection this data source hands out, before its caller gets
	 * it.
	 * @param hook what to do with the new connection (the target's, not the proxy)
	 * @return this data source
	 */
	InterceptingDataSource onGetConnection(ConnectionHook hook) {
		this.onGetConnection.add(hook);
		return this;
	}

	/**
	 * Run the hook before every call of the named {@link Connection} method; for
	 * {@code close} only before the first call on each connection, as later ones do
	 * nothing.
	 * @param method the name of the method, e.g. {@code commit}
	 * @param hook what to do; an exception it throws is what the call throws
	 * @return this data source
	 */
	InterceptingDataSource before(String method, CallHook hook) {
		this.beforeCall.computeIfAbsent(method, (name) -> new CopyOnWriteArrayList<>()).add(hook);
		return this;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return intercept(obtainTargetDataSource().getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return intercept(obtainTargetDataSource().getConnection(username, password));
	}

	private Connection intercept(Connection target) throws SQLException {
		for (ConnectionHook hook : this.onGetConnection) {
			hook.accept(target);
		}
		AtomicBoolean closed = new AtomicBoolean();
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					List<CallHook> hooks = this.beforeCall.getOrDefault(method.getName(), List.of());
					if (!method.getName().equals("close") || !closed.getAndSet(true)) {
						for (CallHook hook : hooks) {
							hook.before(target, args);
						}
					}
					try {
						return method.invoke(target, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getTargetException();
					}
				});
	}

	/**
	 * Something to do with each connection handed out.
	 */
	@FunctionalInterface
	interface ConnectionHook {

		void accept(Connection connection) throws SQLException;

	}

	/**
	 * Something to do before a call on a connection.
	 */
	@FunctionalInterface
	interface CallHook {

		/**
		 * Run before the call.
		 * @param connection the target connection
		 * @param args the call's arguments, {@code null} when it takes none
		 */
		void before(Connection connection, @Nullable Object @Nullable [] args) throws SQLException;

	}

}
