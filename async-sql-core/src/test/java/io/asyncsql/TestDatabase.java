package io.asyncsql;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the tests run against, what differs between them, and the one place that
 * decides whether a missing server skips its tests or, with
 * {@code ASYNC_SQL_REQUIRE_DATABASES=true} (as in CI), fails them.
 */
enum TestDatabase {

	H2("H2", null, 0, "sa", "") {

		@Override
		String url(String host, int port) {
			return "jdbc:h2:mem:asyncsql-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
		}

		@Override
		String longQuery(String marker) {
			return io.asyncsql.H2.LONG_QUERY;
		}

		@Override
		String sleepSql(double seconds, String marker) {
			throw new UnsupportedOperationException("H2 has no server to watch");
		}

	},

	POSTGRESQL("PostgreSQL", "127.0.0.1", 5432, "postgres", "") {

		@Override
		String url(String host, int port) {
			return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE_NAME + "?connectTimeout=5";
		}

		@Override
		String sleepSql(double seconds, String marker) {
			return "select pg_sleep(" + seconds + "), '" + marker + "'";
		}

		@Override
		String sleepThenSelectSql(double seconds, int value) {
			return "select " + value + " from pg_sleep(" + seconds + ")";
		}

		@Override
		void cancelStatement(Connection admin, long backendId) throws SQLException {
			try (PreparedStatement statement = admin.prepareStatement("select pg_cancel_backend(?)")) {
				statement.setInt(1, (int) backendId);
				statement.execute();
			}
		}

		@Override
		String runningStatementsSql() {
			return "select count(*) from pg_stat_activity where state = 'active' and query like ?"
					+ " and pid <> pg_backend_pid()";
		}

		@Override
		String backendIdSql() {
			return "select pg_backend_pid()";
		}

		@Override
		void terminate(Connection admin, long backendId) throws SQLException {
			try (PreparedStatement statement = admin.prepareStatement("select pg_terminate_backend(?)")) {
				statement.setInt(1, (int) backendId);
				statement.execute();
			}
		}

	},

	MARIADB("MariaDB", "127.0.0.1", 3306, "root", "") {

		@Override
		String url(String host, int port) {
			return "jdbc:mariadb://" + host + ":" + port + "/" + DATABASE_NAME + "?connectTimeout=5000";
		}

		@Override
		String identityColumn(String type) {
			return "id " + type + " auto_increment primary key";
		}

		@Override
		String generatedKeyColumn(String column) {
			return "insert_id";
		}

		@Override
		Number generatedKey(long value) {
			return BigInteger.valueOf(value);
		}

		@Override
		String sleepSql(double seconds, String marker) {
			return "select sleep(" + seconds + "), '" + marker + "'";
		}

		@Override
		String sleepThenSelectSql(double seconds, int value) {
			// SLEEP returns 1 when interrupted, 0 otherwise.
			return "select " + value + " + sleep(" + seconds + ")";
		}

		@Override
		void cancelStatement(Connection admin, long backendId) throws SQLException {
			try (Statement statement = admin.createStatement()) {
				statement.execute("kill query " + backendId);
			}
		}

		@Override
		String runningStatementsSql() {
			return "select count(*) from information_schema.processlist where command = 'Query' and info like ?"
					+ " and id <> connection_id()";
		}

		@Override
		String backendIdSql() {
			return "select connection_id()";
		}

		@Override
		void terminate(Connection admin, long backendId) throws SQLException {
			try (Statement statement = admin.createStatement()) {
				statement.execute("kill " + backendId);
			}
			catch (SQLException ex) {
				// 1094: unknown thread id, the connection is already gone.
				if (ex.getErrorCode() != 1094) {
					throw ex;
				}
			}
		}

	};

	private static final String REQUIRE_DATABASES = "ASYNC_SQL_REQUIRE_DATABASES";

	/**
	 * The database the tests use on each server: {@code test}, or another named by
	 * {@code ASYNC_SQL_TEST_DATABASE} so that two checkouts can run their tests at once.
	 */
	static final String DATABASE_NAME = System.getenv().getOrDefault("ASYNC_SQL_TEST_DATABASE", "test");

	private static final Map<TestDatabase, String> problems = new ConcurrentHashMap<>();

	private final String displayName;

	private final String host;

	private final int port;

	private final String username;

	private final String password;

	TestDatabase(String displayName, String host, int port, String username, String password) {
		this.displayName = displayName;
		this.host = host;
		this.port = port;
		this.username = username;
		this.password = password;
	}

	/**
	 * Skip the calling test when the server does not answer, or fail it when
	 * {@code ASYNC_SQL_REQUIRE_DATABASES=true}.
	 */
	void assumeAvailable() {
		String problem = problem();
		if (problem.isEmpty()) {
			return;
		}
		String message = this.displayName + " not reachable at " + this.host + ":" + this.port + ": " + problem;
		if (Boolean.parseBoolean(System.getenv(REQUIRE_DATABASES))) {
			throw new AssertionError(message + " (" + REQUIRE_DATABASES + "=true, so this fails instead of skipping)");
		}
		Assumptions.abort(message + "; start it, or these tests stay skipped");
	}

	/**
	 * Return whether the server answers; tests call {@link #assumeAvailable()} to be
	 * skipped or failed when it does not.
	 */
	boolean isAvailable() {
		return problem().isEmpty();
	}

	private String problem() {
		if (this.host == null) {
			return "";
		}
		return problems.computeIfAbsent(this, (database) -> database.probe());
	}

	private String probe() {
		try (Connection connection = connect()) {
			return "";
		}
		catch (SQLException ex) {
			System.err.println("WARNING: " + this.displayName + " not reachable at " + this.host + ":" + this.port
					+ " (" + ex.getMessage() + "); its tests are skipped, or fail when " + REQUIRE_DATABASES + "=true");
			return String.valueOf(ex.getMessage());
		}
	}

	String displayName() {
		return this.displayName;
	}

	/**
	 * Return the display name, which names each run of an {@link EachDatabase} class.
	 */
	@Override
	public String toString() {
		return this.displayName;
	}

	int port() {
		return this.port;
	}

	String url() {
		return url(this.host, this.port);
	}

	abstract String url(String host, int port);

	/**
	 * Open a plain JDBC connection, outside any pool, e.g. to watch the server.
	 */
	Connection connect() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", this.username);
		properties.setProperty("password", this.password);
		return DriverManager.getConnection(url(), properties);
	}

	/**
	 * Create a HikariCP pool on this database (a fresh in-memory one for H2).
	 */
	HikariDataSource pool(String name, int size, Consumer<HikariConfig> customizer) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(name);
		config.setJdbcUrl(url());
		config.setUsername(this.username);
		config.setPassword(this.password);
		config.setMaximumPoolSize(size);
		config.setConnectionTimeout(10_000);
		customizer.accept(config);
		return new HikariDataSource(config);
	}

	HikariDataSource pool(String name, int size) {
		return pool(name, size, (config) -> {
		});
	}

	/**
	 * Return a table name that is unique to one test class and run, as the servers are
	 * shared.
	 */
	static String uniqueTableName(String prefix) {
		return ("asyncsql_" + prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
	}

	/**
	 * Return the definition of an {@code integer} column {@code id} whose values the
	 * database generates.
	 */
	String identityColumn() {
		return identityColumn("integer");
	}

	/**
	 * Return the definition of a column {@code id} of the given integer type whose values
	 * the database generates.
	 */
	String identityColumn(String type) {
		return "id " + type + " generated by default as identity primary key";
	}

	/**
	 * Return the name under which the driver returns the generated key of a
	 * {@code bigint} identity column.
	 */
	String generatedKeyColumn(String column) {
		return column;
	}

	/**
	 * Return the generated key of a {@code bigint} identity column as the driver returns
	 * it.
	 */
	Number generatedKey(long value) {
		return value;
	}

	/**
	 * Return a statement that sleeps on the server and carries a marker to find it there.
	 */
	abstract String sleepSql(double seconds, String marker);

	/**
	 * Return a query that runs far longer than any test waits and stops when cancelled
	 * (carrying the marker, on a server, to find it there).
	 */
	String longQuery(String marker) {
		return sleepSql(60, marker);
	}

	/**
	 * Return a query that sleeps on the server, then returns the value (another value, or
	 * an error, when interrupted).
	 */
	String sleepThenSelectSql(double seconds, int value) {
		throw new UnsupportedOperationException(this.displayName + " has no server to watch");
	}

	/**
	 * Return the server's id of the connection running a statement that contains the
	 * marker.
	 */
	long backendRunning(Connection admin, String marker) throws SQLException {
		String sql = runningStatementsSql().replace("count(*)", (this == POSTGRESQL) ? "pid" : "id");
		try (PreparedStatement statement = admin.prepareStatement(sql)) {
			statement.setString(1, "%" + marker + "%");
			try (ResultSet result = statement.executeQuery()) {
				if (!result.next()) {
					throw new IllegalStateException("No statement with marker " + marker + " is running");
				}
				return result.getLong(1);
			}
		}
	}

	/**
	 * Stop the statement a server connection runs, as an administrator would, leaving the
	 * connection open.
	 */
	void cancelStatement(Connection admin, long backendId) throws SQLException {
		throw new UnsupportedOperationException(this.displayName + " has no server to watch");
	}

	/**
	 * Return a query counting running statements whose text is like its one parameter.
	 */
	String runningStatementsSql() {
		throw new UnsupportedOperationException(this.displayName + " has no server to watch");
	}

	/**
	 * Count the statements running on the server whose text contains the marker.
	 */
	int runningStatements(Connection admin, String marker) throws SQLException {
		try (PreparedStatement statement = admin.prepareStatement(runningStatementsSql())) {
			statement.setString(1, "%" + marker + "%");
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

	/**
	 * Return a query for the server's id of the current connection.
	 */
	String backendIdSql() {
		throw new UnsupportedOperationException(this.displayName + " has no server to watch");
	}

	/**
	 * End a server connection, as an administrator or a failover would.
	 */
	void terminate(Connection admin, long backendId) throws SQLException {
		throw new UnsupportedOperationException(this.displayName + " has no server to watch");
	}

}
