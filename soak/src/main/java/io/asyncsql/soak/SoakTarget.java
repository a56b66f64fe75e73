package io.asyncsql.soak;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A database server the soak runs against, and what it takes to hurt it: the soak's own
 * database ({@code soak}) on it, its sessions, killing them, and for PostgreSQL a private
 * cluster that can be restarted without disturbing anything else.
 */
enum SoakTarget {

	/**
	 * A private PostgreSQL cluster ({@code .ci/soak-cluster} makes it) on its own port,
	 * so that restarting it never reaches another test.
	 */
	POSTGRESQL("127.0.0.1", 5434) {

		@Override
		String url(String host, int port, String database) {
			return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=postgres&ApplicationName="
					+ APPLICATION;
		}

		@Override
		String adminDatabase() {
			return "postgres";
		}

		@Override
		String createDatabase() {
			return "create database " + DATABASE;
		}

		@Override
		boolean databaseExists(Statement admin) throws SQLException {
			try (ResultSet rows = admin.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
				return rows.next();
			}
		}

		@Override
		List<Long> sessions(Statement admin, boolean busyOnly) throws SQLException {
			String sql = "select pid from pg_stat_activity where application_name = '" + APPLICATION
					+ "' and pid <> pg_backend_pid()" + (busyOnly ? " and state <> 'idle'" : "");
			return ids(admin, sql);
		}

		@Override
		void kill(Statement admin, long session) throws SQLException {
			admin.execute("select pg_terminate_backend(" + session + ")");
		}

		@Override
		boolean canRestart() {
			return true;
		}

		@Override
		void restart() throws IOException, InterruptedException {
			String version = System.getenv().getOrDefault("PG_VERSION", "15");
			Process process = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "soak",
					"restart", "-m", "fast")
				.redirectErrorStream(true)
				.start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IOException("pg_ctlcluster restart failed: " + output.strip());
			}
		}

	},

	/**
	 * The local MariaDB server; the soak's sessions are those on its {@code soak}
	 * database.
	 */
	MARIADB("127.0.0.1", 3306) {

		@Override
		String url(String host, int port, String database) {
			return "jdbc:mariadb://" + host + ":" + port + "/" + database + "?user=root";
		}

		@Override
		String adminDatabase() {
			return "test";
		}

		@Override
		String createDatabase() {
			return "create database if not exists " + DATABASE;
		}

		@Override
		boolean databaseExists(Statement admin) throws SQLException {
			return false;
		}

		@Override
		List<Long> sessions(Statement admin, boolean busyOnly) throws SQLException {
			// Busy: running a statement, or holding a transaction open between
			// statements.
			String sql = busyOnly
					? "select p.id from information_schema.processlist p where p.db = '" + DATABASE
							+ "' and p.id <> connection_id() and (p.command <> 'Sleep' or exists (select 1 from"
							+ " information_schema.innodb_trx t where t.trx_mysql_thread_id = p.id))"
					: "select id from information_schema.processlist where db = '" + DATABASE
							+ "' and id <> connection_id()";
			return ids(admin, sql);
		}

		@Override
		void kill(Statement admin, long session) throws SQLException {
			try {
				admin.execute("kill " + session);
			}
			catch (SQLException ex) {
				// 1094: unknown thread id, the session is already gone.
				if (ex.getErrorCode() != 1094) {
					throw ex;
				}
			}
		}

	};

	/** The soak's database on the server. */
	static final String DATABASE = "soak";

	/** How the soak's PostgreSQL sessions are told apart. */
	static final String APPLICATION = "async-sql-soak";

	final String host;

	final int port;

	SoakTarget(String host, int port) {
		this.host = host;
		this.port = port;
	}

	abstract String url(String host, int port, String database);

	abstract String adminDatabase();

	abstract String createDatabase();

	abstract boolean databaseExists(Statement admin) throws SQLException;

	/**
	 * Return the server's ids of the soak's sessions, or of those running a statement or
	 * holding a transaction open.
	 */
	abstract List<Long> sessions(Statement admin, boolean busyOnly) throws SQLException;

	abstract void kill(Statement admin, long session) throws SQLException;

	boolean canRestart() {
		return false;
	}

	void restart() throws IOException, InterruptedException {
		throw new UnsupportedOperationException(this + " is not restarted by the soak");
	}

	/**
	 * Open a connection of the soak's own, straight to the server (not through the
	 * proxy), for setup, faults and checks.
	 */
	Connection admin(String database) throws SQLException {
		return DriverManager.getConnection(url(this.host, this.port, database));
	}

	/**
	 * Return why the server cannot be used, or {@code null} when it answers.
	 */
	String problem() {
		try (Connection connection = admin(adminDatabase())) {
			return connection.isValid(5) ? null : "the server at " + this.host + ":" + this.port + " is not valid";
		}
		catch (SQLException ex) {
			String where = this.host + ":" + this.port;
			return (this == POSTGRESQL) ? "no PostgreSQL soak cluster answers on " + where
					+ " (make it with .ci/soak-cluster, as root): " + ex.getMessage()
					: "no MariaDB answers on " + where + ": " + ex.getMessage();
		}
	}

	/**
	 * Create the soak's database when it is missing.
	 */
	void ensureDatabase() throws SQLException {
		try (Connection connection = admin(adminDatabase()); Statement admin = connection.createStatement()) {
			if (!databaseExists(admin)) {
				admin.execute(createDatabase());
			}
		}
	}

	private static List<Long> ids(Statement admin, String sql) throws SQLException {
		List<Long> ids = new ArrayList<>();
		try (ResultSet rows = admin.executeQuery(sql)) {
			while (rows.next()) {
				ids.add(rows.getLong(1));
			}
		}
		return ids;
	}

}
