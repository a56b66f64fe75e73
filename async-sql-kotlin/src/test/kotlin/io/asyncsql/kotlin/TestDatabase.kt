package io.asyncsql.kotlin

import com.zaxxer.hikari.HikariConfig
import com.zaxxer.hikari.HikariDataSource
import java.sql.Connection
import java.sql.DriverManager
import java.sql.SQLException
import java.util.Locale
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import org.junit.jupiter.api.Assumptions

/**
 * The databases the Kotlin tests run against, with the rule of the core tests'
 * `TestDatabase`: a missing server skips its tests with a message naming it, or fails them
 * when `ASYNC_SQL_REQUIRE_DATABASES=true` (as in CI); `ASYNC_SQL_TEST_DATABASE` names the
 * database to use on the server.
 */
internal enum class TestDatabase(val displayName: String, val host: String?, val port: Int,
		private val username: String) {

	H2("H2", null, 0, "sa") {

		override fun url() = "jdbc:h2:mem:asyncsql-kotlin-${UUID.randomUUID()};DB_CLOSE_DELAY=-1"

		override fun rangeSql(count: Int, marker: String) = "select x, '$marker' from system_range(1, $count) order by x"

		// The statements of other sessions of the same in-memory database.
		override fun busySql() =
			"select count(*) from information_schema.sessions where executing_statement like ? and session_id <> session_id()"

	},

	POSTGRESQL("PostgreSQL", "127.0.0.1", 5432, "postgres") {

		override fun url() = "jdbc:postgresql://$host:$port/$DATABASE_NAME?connectTimeout=5"

		override fun rangeSql(count: Int, marker: String) =
			"select g, '$marker' from generate_series(1, $count) g order by g"

		// Running, or idle inside a transaction (a stream's open cursor), not yet released.
		override fun busySql() = "select count(*) from pg_stat_activity where state <> 'idle' and query like ?" +
				" and pid <> pg_backend_pid()"

	};

	abstract fun url(): String

	/** A query of the numbers 1 to [count] in order, carrying a marker to find it at the server. */
	abstract fun rangeSql(count: Int, marker: String): String

	/** A query counting other sessions busy with a statement whose text is like its parameter. */
	abstract fun busySql(): String

	/** The database's name, as parameterised test classes show it. */
	override fun toString() = displayName

	/** Skip the calling test when the server does not answer, or fail it when required. */
	fun assumeAvailable() {
		val problem = problems.computeIfAbsent(this) { it.probe() }
		if (problem.isEmpty()) {
			return
		}
		val message = "$displayName not reachable at $host:$port: $problem"
		if (System.getenv(REQUIRE_DATABASES).toBoolean()) {
			throw AssertionError("$message ($REQUIRE_DATABASES=true, so this fails instead of skipping)")
		}
		Assumptions.abort<Unit>("$message; start it, or these tests stay skipped")
	}

	private fun probe(): String {
		if (host == null) {
			return ""
		}
		return try {
			DriverManager.getConnection(url(), username, "").use { "" }
		}
		catch (ex: SQLException) {
			System.err.println("WARNING: $displayName not reachable at $host:$port (${ex.message}); its tests are " +
					"skipped, or fail when $REQUIRE_DATABASES=true")
			ex.message.toString()
		}
	}

	/** Create a HikariCP pool on this database (a fresh in-memory one for H2). */
	fun pool(name: String, size: Int): HikariDataSource {
		val config = HikariConfig()
		config.poolName = name
		config.jdbcUrl = url()
		config.username = username
		config.password = ""
		config.maximumPoolSize = size
		config.connectionTimeout = 10_000
		return HikariDataSource(config)
	}

	/** Open a plain connection to the pool's database, outside the pool, to watch it. */
	fun watch(pool: HikariDataSource): Connection = DriverManager.getConnection(pool.jdbcUrl, username, "")

	/** Count the other sessions busy with a statement that carries the marker. */
	fun busy(watcher: Connection, marker: String): Int =
		watcher.prepareStatement(busySql()).use { statement ->
			statement.setString(1, "%$marker%")
			statement.executeQuery().use { result ->
				result.next()
				result.getInt(1)
			}
		}

	companion object {

		private const val REQUIRE_DATABASES = "ASYNC_SQL_REQUIRE_DATABASES"

		/** The database on each server: `test`, or the one named by `ASYNC_SQL_TEST_DATABASE`. */
		val DATABASE_NAME: String = System.getenv("ASYNC_SQL_TEST_DATABASE") ?: "test"

		private val problems = ConcurrentHashMap<TestDatabase, String>()

		/** A table name unique to one test and run, as the servers are shared. */
		fun uniqueTableName(prefix: String) =
			"asyncsql_kt_${prefix}_${UUID.randomUUID().toString().substring(0, 8)}".lowercase(Locale.ROOT)

		/** A marker unique to one test, to find its statements at the server. */
		fun marker(prefix: String) = "asyncsql-kt-$prefix-${UUID.randomUUID().toString().substring(0, 8)}"

	}

}
