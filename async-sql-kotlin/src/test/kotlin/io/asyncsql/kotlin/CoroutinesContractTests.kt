package io.asyncsql.kotlin

import com.zaxxer.hikari.HikariDataSource
import io.asyncsql.AsyncEngine
import io.asyncsql.AsyncJdbcClient
import io.asyncsql.AsyncJdbcTemplate
import io.asyncsql.BulkLoad
import java.lang.management.ManagementFactory
import java.sql.Connection
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.awaitility.Awaitility
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.params.AfterParameterizedClassInvocation
import org.junit.jupiter.params.BeforeParameterizedClassInvocation
import org.junit.jupiter.params.Parameter
import org.springframework.dao.DuplicateKeyException
import org.springframework.jdbc.core.RowMapper
import org.springframework.jdbc.support.GeneratedKeyHolder

/**
 * The coroutines extensions against a real database: suspend functions answer as the
 * futures would, flows fetch only what their collector takes, transaction blocks commit or
 * roll back, cancellation removes queued work, and ten thousand coroutines share a pool of
 * ten on a bounded number of threads. Run on each [TestDatabase].
 */
@EachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
internal class CoroutinesContractTests {

	// A field, as JUnit injects no constructor of a PER_CLASS parameterised class.
	@field:Parameter
	lateinit var database: TestDatabase

	private lateinit var dataSource: HikariDataSource

	private lateinit var watcher: Connection

	private lateinit var engine: AsyncEngine

	private lateinit var template: AsyncJdbcTemplate

	private lateinit var client: AsyncJdbcClient

	private val table = TestDatabase.uniqueTableName("users")

	@BeforeParameterizedClassInvocation
	fun connect() {
		database.assumeAvailable()
		dataSource = database.pool("kotlin", POOL_SIZE)
		watcher = database.watch(dataSource)
	}

	@AfterParameterizedClassInvocation
	fun disconnect() {
		if (this::dataSource.isInitialized) {
			watcher.close()
			dataSource.close()
		}
	}

	@BeforeEach
	fun startEngine() {
		engine = AsyncEngine.builder(dataSource).name("kotlin").queueCapacity(QUEUE_CAPACITY).build()
		template = AsyncJdbcTemplate(engine)
		client = AsyncJdbcClient.create(template)
		template.jdbcTemplate.execute("create table $table (${database.identityColumn()}," +
				" name varchar(100) not null unique, nickname varchar(100))")
	}

	@AfterEach
	fun stopEngine() {
		engine.close()
		template.jdbcTemplate.execute("drop table $table")
	}

	@Test
	fun suspendFunctionsReturnWhatTheFuturesComplete() = runTest(timeout = TIMEOUT) {
		assertThat(template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")).isEqualTo(1)
		assertThat(template.updateAndReturnKeyAndAwait("insert into $table (name) values (?)", "Dana Whitaker").toInt())
			.isEqualTo(2)
		assertThat(template.batchUpdateAndAwait("insert into $table (name, nickname) values (?, ?)",
				listOf(arrayOf("Isaac Jaffe", null), arrayOf("Casey McCall", "Case"))))
			.containsExactly(1, 1)

		assertThat(template.queryAndAwait("select name from $table where id > ? order by id",
				{ rs, _ -> rs.getString(1) }, 1))
			.containsExactly("Dana Whitaker", "Isaac Jaffe", "Casey McCall")
		assertThat(template.queryForObjectAndAwait<Int>("select count(*) from $table")).isEqualTo(4)
		assertThat(template.queryForObjectAndAwait<String?>("select nickname from $table where id = ?", 3)).isNull()
		assertThat(template.queryForObjectAndAwait("select name, nickname from $table where id = ?",
				RowMapper { rs, _ -> rs.getString(1) + " (" + rs.getString(2) + ")" }, 4))
			.isEqualTo("Casey McCall (Case)")
		assertThat(template.queryForListAndAwait("select name from $table where id = ?", 1).single().values)
			.containsExactly("Dan Rydell")
		assertThat(template.hasTableAndAwait(table)).isTrue()
		assertThat(template.tableNamesAndAwait()).anyMatch { it.equals(table, ignoreCase = true) }
		assertThat(template.executeAndAwait { connection -> connection.isValid(1) }).isTrue()
		assertThat(engine.executeAndAwait { connection -> connection.autoCommit }).isTrue()
	}

	@Test
	fun failuresArriveAsTheTranslatedExceptions() = runTest(timeout = TIMEOUT) {
		template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")

		val failure = runCatching { template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell") }

		assertThat(failure.exceptionOrNull()).isInstanceOf(DuplicateKeyException::class.java)
	}

	@Test
	fun clientMapsRowsToDataClassesAndSimpleTypes() = runTest(timeout = TIMEOUT) {
		val keys = GeneratedKeyHolder()
		assertThat(client.sql("insert into $table (name) values (:name)").param("name", "Dan Rydell")
			.awaitUpdate(keys, "id")).isEqualTo(1)
		assertThat(keys.key?.toInt()).isEqualTo(1)
		assertThat(client.sql("insert into $table (name, nickname) values (?, ?)").params("Dana Whitaker", "Dana")
			.awaitUpdate()).isEqualTo(1)

		assertThat(client.sql("select id, name, nickname from $table order by id").query<User>().awaitList())
			.containsExactly(User(1, "Dan Rydell", null), User(2, "Dana Whitaker", "Dana"))
		assertThat(client.sql("select id, name, nickname from $table where id = :id").param("id", 2)
			.query<User>().awaitSingle()).isEqualTo(User(2, "Dana Whitaker", "Dana"))
		assertThat(client.sql("select id, name, nickname from $table where id = :id").param("id", 99)
			.query<User>().awaitSingleOrNull()).isNull()
		assertThat(client.sql("select count(*) from $table").query<Int>().awaitSingle()).isEqualTo(2)
		assertThat(client.sql("select name from $table order by id").query<String>().flow().toList())
			.containsExactly("Dan Rydell", "Dana Whitaker")
	}

	@Test
	fun flowFetchesRowsAsTheCollectorTakesThemAndStopsWhenItStops() = runTest(timeout = TIMEOUT) {
		val marker = TestDatabase.marker("flow")
		val mapped = AtomicInteger()

		val firstThree = template.streamAsFlow(database.rangeSql(100_000, marker), RowMapper { rs, _ ->
			mapped.incrementAndGet()
			rs.getInt(1)
		}).take(3).toList()

		assertThat(firstThree).containsExactly(1, 2, 3)
		assertThat(mapped.get()).`as`("rows mapped of 100,000, for a collector that took 3").isLessThan(1_000)
		awaitNothingBusy(marker)
	}

	@Test
	fun flowCollectsEveryRowInOrder() = runTest(timeout = TIMEOUT) {
		val marker = TestDatabase.marker("all")

		val rows = template.streamAsFlow(database.rangeSql(10_000, marker), RowMapper { rs, _ -> rs.getInt(1) }).toList()

		assertThat(rows).isEqualTo((1..10_000).toList())
		awaitNothingBusy(marker)
	}

	@Test
	fun bulkLoadWritesAFlowAsTheDatabaseTakesIt() = runTest(timeout = TIMEOUT) {
		val emitted = AtomicInteger()
		val names = flow {
			for (i in 1..5_000) {
				emitted.incrementAndGet()
				emit("user $i")
			}
		}

		val written = template.bulkLoadAndAwait(names, BulkLoad.into(table, listOf("name")) { name: String -> arrayOf(name) }
			.batchSize(500))

		assertThat(written).isEqualTo(5_000L)
		assertThat(emitted.get()).isEqualTo(5_000)
		assertThat(rowCount()).isEqualTo(5_000)
		awaitPoolIdle()
	}

	@Test
	fun cancellingABulkLoadRollsItBackAndStopsTheFlow() = runTest(timeout = TIMEOUT) {
		val emitted = AtomicInteger()
		val stopped = AtomicInteger()
		val endless = flow {
			try {
				for (i in 1..1_500) {
					emitted.incrementAndGet()
					emit("user $i")
				}
				awaitCancellation()
			}
			finally {
				stopped.incrementAndGet()
			}
		}
		val load = launch(Dispatchers.Default) {
			template.bulkLoadAndAwait(endless, BulkLoad.into(table, listOf("name")) { name: String -> arrayOf(name) }
				.batchSize(500))
		}
		withContext(Dispatchers.Default) {
			Awaitility.await().atMost(Duration.ofSeconds(30)).until { emitted.get() == 1_500 }
		}

		load.cancelAndJoin()

		withContext(Dispatchers.Default) {
			Awaitility.await().atMost(Duration.ofSeconds(30)).until { stopped.get() == 1 }
		}
		awaitPoolIdle()
		assertThat(rowCount()).isZero()
	}

	@Test
	fun transactionBlockCommitsWhenItReturns() = runTest(timeout = TIMEOUT) {
		val count = template.inTransactionAndAwait { tx ->
			tx.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")
			yield()
			tx.updateAndAwait("insert into $table (name) values (?)", "Dana Whitaker")
			tx.queryForObjectAndAwait<Int>("select count(*) from $table")
		}

		assertThat(count).isEqualTo(2)
		assertThat(rowCount()).isEqualTo(2)
		awaitPoolIdle()
	}

	@Test
	fun transactionBlockRollsBackWhenItThrows() = runTest(timeout = TIMEOUT) {
		val failure = runCatching {
			template.inTransactionAndAwait { tx ->
				tx.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")
				throw IllegalStateException("changed my mind")
			}
		}.exceptionOrNull()

		assertThat(failure).isInstanceOf(IllegalStateException::class.java).hasMessage("changed my mind")
		assertThat(rowCount()).isZero()
		awaitPoolIdle()
	}

	@Test
	fun transactionBlockRollsBackWhenAStatementFails() = runTest(timeout = TIMEOUT) {
		val failure = runCatching {
			client.inTransactionAndAwait { tx ->
				tx.sql("insert into $table (name) values (?)").param("Dan Rydell").awaitUpdate()
				tx.sql("insert into $table (name) values (?)").param("Dan Rydell").awaitUpdate()
			}
		}.exceptionOrNull()

		assertThat(failure).isInstanceOf(DuplicateKeyException::class.java)
		assertThat(rowCount()).isZero()
		awaitPoolIdle()
	}

	@Test
	fun nestedTransactionBlockRollsBackToItsSavepointOnly() = runTest(timeout = TIMEOUT) {
		val returned: String? = client.inTransactionAndAwait { tx ->
			tx.sql("insert into $table (name) values (?)").param("Dan Rydell").awaitUpdate()
			val nested = runCatching {
				tx.inTransactionAndAwait { nested ->
					nested.sql("insert into $table (name) values (?)").param("Dana Whitaker").awaitUpdate()
					error("not this one")
				}
			}
			assertThat(nested.exceptionOrNull()).hasMessage("not this one")
			null
		}

		assertThat(returned).isNull()
		assertThat(client.sql("select name from $table").query<String>().awaitList()).containsExactly("Dan Rydell")
	}

	@Test
	fun connectionBlockRunsInOrderAndClosesTheConnection() = runTest(timeout = TIMEOUT) {
		val names = template.useAndAwait { connection ->
			connection.inTransactionAndAwait { tx -> tx.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell") }
			val transaction = connection.beginAndAwait()
			connection.updateAndAwait("insert into $table (name) values (?)", "Dana Whitaker")
			transaction.rollbackAndAwait()
			connection.queryAndAwait("select name from $table", RowMapper { rs, _ -> rs.getString(1) })
		}

		assertThat(names).containsExactly("Dan Rydell")
		awaitPoolIdle()
	}

	@Test
	fun cancellingTheCoroutineRemovesItsQueuedOperation() = runTest(timeout = TIMEOUT) {
		val lanes = List(POOL_SIZE) { template.connectAndAwait() }
		val waiting = launch(start = CoroutineStart.UNDISPATCHED) {
			template.updateAndAwait("insert into $table (name) values (?)", "never")
		}
		assertThat(engine.stats().queued()).isEqualTo(1)

		waiting.cancelAndJoin()

		assertThat(engine.stats().queued()).isZero()
		assertThat(engine.stats().cancelled()).isEqualTo(1)
		lanes.forEach { it.closeAndAwait() }
		assertThat(rowCount()).isZero()
		awaitPoolIdle()
	}

	@Test
	fun withTimeoutRemovesAQueuedOperationWhenItExpires() = runTest(timeout = TIMEOUT) {
		val lanes = List(POOL_SIZE) { template.connectAndAwait() }

		val inserted = withContext(Dispatchers.Default) {
			withTimeoutOrNull(200) { template.updateAndAwait("insert into $table (name) values (?)", "never") }
		}

		assertThat(inserted).isNull()
		assertThat(engine.stats().queued()).isZero()
		lanes.forEach { it.closeAndAwait() }
		assertThat(rowCount()).isZero()
	}

	@Test
	fun tenThousandCoroutinesShareTheConnectionsOnBoundedThreads() = runTest(timeout = TIMEOUT * 2) {
		val threads = ManagementFactory.getThreadMXBean()
		val before = threads.threadCount
		threads.resetPeakThreadCount()

		val answers = List(COROUTINES) { n ->
			async { client.sql("select cast(:n as integer) + 1").param("n", n).query<Int>().awaitSingle() }
		}.awaitAll()

		assertThat(answers).isEqualTo((1..COROUTINES).toList())
		assertThat(threads.peakThreadCount - before).`as`("platform threads added for $COROUTINES coroutines")
			.isLessThanOrEqualTo(POOL_SIZE + 10)
		assertThat(engine.stats().completed()).isGreaterThanOrEqualTo(COROUTINES.toLong())
		assertThat(engine.stats().rejected()).isZero()
		assertThat(dataSource.hikariPoolMXBean.totalConnections).isLessThanOrEqualTo(POOL_SIZE)
	}

	private fun rowCount(): Int = template.jdbcTemplate.queryForObject("select count(*) from $table", Int::class.java)!!

	private fun awaitPoolIdle() {
		Awaitility.await().atMost(WAIT).untilAsserted {
			assertThat(dataSource.hikariPoolMXBean.activeConnections).`as`("connections in use").isZero()
			assertThat(engine.stats().active()).`as`("engine permits in use").isZero()
			assertThat(engine.stats().queued()).`as`("engine operations waiting").isZero()
		}
	}

	private fun awaitNothingBusy(marker: String) {
		Awaitility.await().atMost(WAIT).untilAsserted {
			assertThat(database.busy(watcher, marker)).`as`("sessions still busy with the statement").isZero()
		}
		awaitPoolIdle()
	}

	data class User(val id: Int, val name: String, val nickname: String?)

	companion object {

		const val POOL_SIZE = 10

		const val COROUTINES = 10_000

		const val QUEUE_CAPACITY = 10_000

		val TIMEOUT = 60.seconds

		val WAIT: Duration = Duration.ofSeconds(10)

	}

}
