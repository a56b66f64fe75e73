package io.asyncsql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;

import static org.awaitility.Awaitility.await;

/**
 * The PostgreSQL streaming replica of {@link TestDatabase#POSTGRESQL} that
 * {@code .ci/run} (through {@code .ci/replica}) makes on 127.0.0.1:5433: the database
 * named like the primary's, reached by replication. Tests that need it skip without it,
 * or fail with {@code ASYNC_SQL_REQUIRE_DATABASES=true}.
 */
final class TestReplica {

	static final int PORT = 5433;

	private static final String CLUSTER = "replica";

	private static volatile String problem;

	private TestReplica() {
	}

	/**
	 * Skip the calling test when the replica (or its primary) does not answer as a
	 * streaming standby, or fail it when {@code ASYNC_SQL_REQUIRE_DATABASES=true}.
	 */
	static void assumeAvailable() {
		TestDatabase.POSTGRESQL.assumeAvailable();
		String found = problem();
		if (found.isEmpty()) {
			return;
		}
		String message = "PostgreSQL streaming replica not usable at 127.0.0.1:" + PORT + ": " + found;
		if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
			throw new AssertionError(
					message + " (ASYNC_SQL_REQUIRE_DATABASES=true, so this fails instead of skipping)");
		}
		Assumptions.abort(message + "; run .ci/replica as root to make it, or these tests stay skipped");
	}

	private static String problem() {
		String known = problem;
		if (known == null) {
			known = probe();
			problem = known;
		}
		return known;
	}

	private static String probe() {
		try (Connection connection = connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select pg_is_in_recovery()")) {
			result.next();
			return result.getBoolean(1) ? "" : "the server on port " + PORT + " is not a standby";
		}
		catch (SQLException ex) {
			System.err.println("WARNING: PostgreSQL streaming replica not reachable at 127.0.0.1:" + PORT + " ("
					+ ex.getMessage() + "); its tests are skipped, or fail when ASYNC_SQL_REQUIRE_DATABASES=true");
			return String.valueOf(ex.getMessage());
		}
	}

	static String url() {
		return TestDatabase.POSTGRESQL.url("127.0.0.1", PORT);
	}

	static Connection connect() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", "postgres");
		properties.setProperty("password", "");
		return DriverManager.getConnection(url(), properties);
	}

	static HikariDataSource pool(String name, int size, Consumer<HikariConfig> customizer) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(name);
		config.setJdbcUrl(url());
		config.setUsername("postgres");
		config.setPassword("");
		config.setMaximumPoolSize(size);
		config.setConnectionTimeout(10_000);
		customizer.accept(config);
		return new HikariDataSource(config);
	}

	/**
	 * Wait until the replica has replayed everything the primary wrote so far.
	 */
	static void awaitCaughtUp() throws SQLException {
		String lsn;
		try (Connection primary = TestDatabase.POSTGRESQL.connect();
				Statement statement = primary.createStatement();
				ResultSet result = statement.executeQuery("select pg_current_wal_lsn()::text")) {
			result.next();
			lsn = result.getString(1);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			try (Connection replica = connect();
					java.sql.PreparedStatement statement = replica
						.prepareStatement("select pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
				statement.setString(1, lsn);
				try (ResultSet result = statement.executeQuery()) {
					result.next();
					return result.getBoolean(1);
				}
			}
		});
	}

	/**
	 * Run one statement on the replica, as the superuser.
	 */
	static void execute(String sql) throws SQLException {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * Stop the replica's cluster, as a failure or a maintenance would.
	 */
	static void stop() {
		pgCtlCluster("stop", "-m", "fast");
	}

	/**
	 * Start the replica's cluster and wait until it answers as a standby again.
	 */
	static void start() {
		pgCtlCluster("start");
		await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> probe().isEmpty());
	}

	/**
	 * Skip the calling test when this process may not stop and start the replica's
	 * cluster (it needs root or the postgres user), or fail it as
	 * {@link #assumeAvailable()} does.
	 */
	static void assumeControllable() {
		String user = System.getProperty("user.name");
		if ("root".equals(user) || "postgres".equals(user)) {
			return;
		}
		String message = "stopping the PostgreSQL streaming replica needs root or postgres, not " + user;
		if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
			throw new AssertionError(message);
		}
		Assumptions.abort(message);
	}

	private static void pgCtlCluster(String... action) {
		List<String> command = new java.util.ArrayList<>(
				List.of("pg_ctlcluster", "--skip-systemctl-redirect", version(), CLUSTER));
		command.addAll(List.of(action));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(command + " did not finish within 60 s");
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.exitValue() != 0 && !output.contains("already running") && !output.contains("is not running")) {
				throw new IllegalStateException(command + " failed (" + process.exitValue() + "): " + output);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(command + " could not run", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String version() {
		try (Connection primary = TestDatabase.POSTGRESQL.connect();
				Statement statement = primary.createStatement();
				ResultSet result = statement.executeQuery("show server_version_num")) {
			result.next();
			return String.valueOf(Integer.parseInt(result.getString(1)) / 10000);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot read the primary's version", ex);
		}
	}

}
