package io.asyncsql;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link TrackedConnection}: the connection engine work receives.
 */
class TrackedConnectionTests {

	private final List<String> calls = new ArrayList<>();

	private final List<String> cancelledStatements = new ArrayList<>();

	private final TrackedConnection connection = new TrackedConnection(recordingConnection());

	@Test
	void everyConnectionMethodButCloseReachesTheTargetWithItsArguments() throws Exception {
		for (Method method : Connection.class.getMethods()) {
			if (Modifier.isStatic(method.getModifiers())) {
				continue;
			}
			Object[] args = sampleArguments(method);
			this.calls.clear();
			method.invoke(this.connection, args);
			if (method.getName().equals("close")) {
				assertThat(this.calls).as("close").isEmpty();
			}
			else {
				assertThat(this.calls).as(method.toString()).containsExactly(describe(method, args));
			}
		}
	}

	@Test
	void cancelCancelsTheStatementsCreatedAndRefusesNewOnes() throws SQLException {
		this.connection.createStatement();
		this.connection.prepareStatement("select 1");
		this.connection.cancel();
		assertThat(this.cancelledStatements).containsExactly("createStatement", "prepareStatement");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.connection.prepareCall("call p()"))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
	}

	@Test
	void ofFindsTheTrackerOnlyBehindTheEnginesConnections() {
		assertThat(TrackedConnection.of(this.connection)).isSameAs(this.connection);
		assertThat(TrackedConnection.of(recordingConnection())).isNull();
	}

	private Connection recordingConnection() {
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					if (method.getDeclaringClass() == Object.class) {
						return method.getName().equals("equals") ? proxy == args[0] : method.invoke(this, args);
					}
					this.calls.add(describe(method, args));
					if (Statement.class.isAssignableFrom(method.getReturnType())) {
						return statement(method.getReturnType(), method.getName());
					}
					return defaultValue(method.getReturnType());
				});
	}

	private Object statement(Class<?> type, String createdBy) {
		return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
			if (method.getName().equals("cancel")) {
				this.cancelledStatements.add(createdBy);
			}
			return defaultValue(method.getReturnType());
		});
	}

	private static String describe(Method method, Object[] args) {
		// A proxy sees no arguments as null.
		Object[] given = (args != null) ? args : new Object[0];
		return method.getName() + Arrays.toString(method.getParameterTypes()) + Arrays.deepToString(given);
	}

	private static Object[] sampleArguments(Method method) {
		Class<?>[] types = method.getParameterTypes();
		Object[] args = new Object[types.length];
		for (int i = 0; i < types.length; i++) {
			args[i] = (types[i] == String.class) ? "arg" + i : defaultValue(types[i]);
			if (types[i] == int.class) {
				args[i] = i + 1;
			}
		}
		return args;
	}

	private static Object defaultValue(Class<?> type) {
		if (type == boolean.class) {
			return false;
		}
		if (type == int.class) {
			return 0;
		}
		return null;
	}

}
