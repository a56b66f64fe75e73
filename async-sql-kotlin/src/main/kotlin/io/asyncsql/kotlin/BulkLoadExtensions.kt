package io.asyncsql.kotlin

import io.asyncsql.AsyncJdbcTemplate
import io.asyncsql.BulkLoad
import kotlinx.coroutines.Job
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.jdk9.asPublisher

/**
 * Coroutines variant of [AsyncJdbcTemplate.bulkLoad]: write the elements of [rows] into a
 * table as [load] defines (`COPY` on PostgreSQL, JDBC batches elsewhere), collecting the
 * flow a batch at a time as the database takes the rows, in the caller's context.
 * Cancelling the calling coroutine cancels the collection, rolls back what is not
 * committed and releases the connection.
 * @param rows the rows, collected once
 * @param load what to write and how
 * @return the number of rows written
 * @throws org.springframework.dao.DataAccessException when the database refuses a row
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncJdbcTemplate.bulkLoadAndAwait(rows: Flow<T>, load: BulkLoad<T>): Long =
	bulkLoad(rows.asPublisher(currentCoroutineContext().minusKey(Job)), load).await()
