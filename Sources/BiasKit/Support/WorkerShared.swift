/// A value handed to the workers of one `DispatchQueue.concurrentPerform`: a raw buffer or
/// pointer (or a reference to per-worker scratch) that the workers use at once.
///
/// Swift 6 checks that what a concurrent closure captures is `Sendable`; raw pointers are not,
/// because the compiler cannot see which elements each worker touches. The numeric kernels
/// (the CSV scan, the k-NN scan, L-BFGS's loss, hard debiasing, analogies) share buffers that
/// way on purpose, so this one type says "audited" for each such capture, instead of switching
/// the checks off for a whole target. Every use obeys three rules, checked where it is created
/// (search for `WorkerShared(`):
///
/// 1. **Lifetime**: it is created inside the `withUnsafe…` closure that provides the memory, and
///    used only by the `concurrentPerform` call in that closure (never stored or returned).
/// 2. **Disjoint writes**: worker `w` writes only elements derived from `w` (its slot, its block of
///    rows); an element one worker writes, no other worker reads or writes.
/// 3. **Results after the join**: the caller reads what workers wrote only after
///    `concurrentPerform` returns, which orders every worker's writes before that read.
///
/// - Complexity: a plain value; no synchronisation of its own.
struct WorkerShared<Value>: @unchecked Sendable {
  let value: Value

  init(_ value: Value) { self.value = value }
}
