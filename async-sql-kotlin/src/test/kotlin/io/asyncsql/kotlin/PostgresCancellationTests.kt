package io.asyncsql.kotlin

import com.zaxxer.hikari.HikariDataSource
import io.asyncsql.AsyncEngine
import io.asyncsql.AsyncJdbcClient
import io.asyncsql.AsyncJdbcTemplate
import java.sql.Connection
import java.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.awaitility.Awaitility
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.springframework.jdbc.core.RowMapper

/**
 * Cancelling a coroutine, its scope or a `withTimeout` stops its statements at the server
 * (`pg_sleep(60)`, watched in `pg_stat_activity` from a plain connection), removes its
 * queued operations, rolls back its transaction and gives the connections back.
 * <p>
 * The work runs on [Dispatchers.Default], as it would in an application: the test thread
 * blocks while it watches the server, and a transaction block resumes on its caller's
 * dispatcher.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
internal class PostgresCancellationTests {

	private val database = TestDatabase.POSTGRESQL

	private lateinit var dataSource: HikariDataSource

	private lateinit var watcher: Connection

	private lateinit var engine: AsyncEngine

	private lateinit var template: AsyncJdbcTemplate

	private val marker = TestDatabase.marker("cancel")

	private val sleep = "select pg_sleep(60), '$marker'"

	@BeforeAll
	fun connect() {
		database.assumeAvailable()
		dataSource = database.pool("kotlin-cancel", POOL_SIZE)
		watcher = database.watch(dataSource)
	}

	@AfterAll
	fun disconnect() {
		if (this::dataSource.isInitialized) {
			watcher.close()
			dataSource.close()
		}
	}

	@BeforeEach
	fun startEngine() {
		engine = AsyncEngine.builder(dataSource).name("kotlin-cancel").build()
		template = AsyncJdbcTemplate(engine)
	}

	@AfterEach
	fun stopEngine() {
		engine.close()
	}

	@Test
	fun cancellingTheCoroutineStopsItsStatementAtTheServer() = runTest(timeout = TIMEOUT) {
		val sleeping = launch(Dispatchers.Default, CoroutineStart.UNDISPATCHED) { template.queryForListAndAwait(sleep) }
		awaitRunning(1)

		sleeping.cancelAndJoin()

		awaitNothingRunningAndPoolIdle()
		assertThat(engine.stats().cancelled()).isEqualTo(1)
	}

	@Test
	fun cancellingTheScopeStopsRunningStatementsAndRemovesQueuedOnes() = runTest(timeout = TIMEOUT) {
		val scope = launch(Dispatchers.Default, CoroutineStart.UNDISPATCHED) {
			repeat(POOL_SIZE + QUEUED) {
				launch(start = CoroutineStart.UNDISPATCHED) {
					AsyncJdbcClient.create(template).sql(sleep).query(RowMapper { rs, _ -> rs.getString(2) }).awaitSingle()
				}
			}
		}
		awaitRunning(POOL_SIZE)
		assertThat(engine.stats().queued()).isEqualTo(QUEUED)

		scope.cancelAndJoin()

		awaitNothingRunningAndPoolIdle()
		assertThat(engine.stats().cancelled()).isEqualTo((POOL_SIZE + QUEUED).toLong())
		assertThat(engine.stats().completed()).isZero()
	}

	@Test
	fun withTimeoutStopsTheStatementAtTheServer() = runTest(timeout = TIMEOUT) {
		val failure = runCatching {
			// Real time: the test scheduler's virtual clock would expire it at once.
			withContext(Dispatchers.Default) {
				withTimeout(1.seconds) { template.queryForListAndAwait(sleep) }
			}
		}.exceptionOrNull()

		assertThat(failure).isInstanceOf(TimeoutCancellationException::class.java)
		awaitNothingRunningAndPoolIdle()
	}

	@Test
	fun cancellingATransactionBlockStopsItsStatementAndRollsItBack() = runTest(timeout = TIMEOUT) {
		val table = TestDatabase.uniqueTableName("cancel")
		template.executeAndAwait("create table $table (n integer)")
		try {
			val transaction = launch(Dispatchers.Default, CoroutineStart.UNDISPATCHED) {
				template.inTransactionAndAwait { tx ->
					tx.updateAndAwait("insert into $table values (1)")
					tx.queryForListAndAwait(sleep)
				}
			}
			awaitRunning(1)

			transaction.cancelAndJoin()

			awaitNothingRunningAndPoolIdle()
			assertThat(template.queryForObjectAndAwait<Int>("select count(*) from $table")).isZero()
		}
		finally {
			template.executeAndAwait("drop table $table")
		}
	}

	@Test
	fun withTimeoutAroundAFlowStopsItsQueryAtTheServer() = runTest(timeout = TIMEOUT) {
		val failure = runCatching {
			withContext(Dispatchers.Default) {
				withTimeout(1.seconds) { template.streamAsFlow(sleep, RowMapper { rs, _ -> rs.getString(2) }).toList() }
			}
		}.exceptionOrNull()

		assertThat(failure).isInstanceOf(TimeoutCancellationException::class.java)
		awaitNothingRunningAndPoolIdle()
	}

	private fun awaitRunning(count: Int) {
		Awaitility.await().atMost(WAIT).until({ database.busy(watcher, marker) }, { it == count })
	}

	private fun awaitNothingRunningAndPoolIdle() {
		Awaitility.await().atMost(WAIT).untilAsserted {
			assertThat(database.busy(watcher, marker)).`as`("statements still running at the server").isZero()
			assertThat(dataSource.hikariPoolMXBean.activeConnections).`as`("connections in use").isZero()
			assertThat(engine.stats().active()).`as`("engine permits in use").isZero()
			assertThat(engine.stats().queued()).`as`("engine operations waiting").isZero()
		}
	}

	companion object {

		const val POOL_SIZE = 10

		const val QUEUED = 2

		val TIMEOUT = 60.seconds

		val WAIT: Duration = Duration.ofSeconds(10)

	}

}
