package io.asyncsql.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.Assumptions;

/**
 * The databases the sample has configurations for: H2 in memory by default, and the local
 * servers its {@code postgres} and {@code mariadb} profiles point at. Tests on a server
 * that does not answer are skipped with a message naming it, or fail when
 * {@code ASYNC_SQL_REQUIRE_DATABASES=true} (as in CI).
 */
enum SampleDatabase {

	H2("H2", null, null, null),

	POSTGRESQL("PostgreSQL", "postgres", "jdbc:postgresql://127.0.0.1:5432/test?connectTimeout=5", "postgres"),

	MARIADB("MariaDB", "mariadb", "jdbc:mariadb://127.0.0.1:3306/test?connectTimeout=5000", "root");

	private final String displayName;

	private final String profile;

	private final String url;

	private final String user;

	SampleDatabase(String displayName, String profile, String url, String user) {
		this.displayName = displayName;
		this.profile = profile;
		this.url = url;
		this.user = user;
	}

	/**
	 * The sample's profiles that select this database: none for H2, the default.
	 */
	String[] profiles() {
		return (this.profile != null) ? new String[] { this.profile } : new String[0];
	}

	/**
	 * Skip the calling test when this database's server does not answer, or fail it when
	 * required.
	 */
	void assumeReachable() {
		if (this.url == null) {
			return;
		}
		String problem;
		try (Connection connection = DriverManager.getConnection(this.url, this.user, "")) {
			if (connection.isValid(5)) {
				return;
			}
			problem = "the connection did not validate";
		}
		catch (SQLException ex) {
			problem = ex.getMessage();
		}
		String message = this.displayName + " is not reachable at " + this.url + " (user " + this.user + "): "
				+ problem;
		if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
			throw new AssertionError(
					message + " (ASYNC_SQL_REQUIRE_DATABASES=true, so this fails instead of skipping)");
		}
		Assumptions.abort(message + "; start it, or these tests stay skipped");
	}

	@Override
	public String toString() {
		return this.displayName;
	}

}
