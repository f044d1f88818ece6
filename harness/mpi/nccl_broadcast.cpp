#include "harness/mpi/nccl_broadcast.h"
#include "harness/mpi/mpi_check.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "common/error.h"
#include "harness/mpi/ratio_frame.h"

#ifdef HELM_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif
#ifdef HELM_HAVE_NCCL
#include <nccl.h>
#endif


namespace helm {

namespace {
void nap() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }
}  // namespace

// The MPI path, and rank 0's bookkeeping on both paths: frames in flight stay alive until done.
struct RatioBroadcast::Mpi {
  MPI_Comm comm = MPI_COMM_NULL;  // a duplicate of world: its collectives never meet the run's
  RatioSequencer seq;
  std::deque<std::vector<double>> bufs;  // scheduler: frames in flight (deque: stable addresses)
  std::deque<MPI_Request> reqs;
  std::vector<double> rx;           // worker: the posted Ibcast's buffer
  MPI_Request rx_req = MPI_REQUEST_NULL;
  int64_t received = 0;
  bool last = false;
  void reap() {
    while (!reqs.empty()) {  // in order: collectives complete in the order they were posted
      int flag = 0;
      HELM_MPI(MPI_Test(&reqs.front(), &flag, MPI_STATUS_IGNORE));
      if (!flag) break;
      reqs.pop_front();
      bufs.pop_front();
    }
  }
};

struct RatioBroadcast::Nccl {
#ifdef HELM_HAVE_NCCL
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  double* buf = nullptr;    // device: one frame
  double* host = nullptr;   // pinned: one frame
  int device = -1, n = 0;
  bool root = false;
  std::thread side;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<double>> to_send;  // root: frames from rank 0 not yet broadcast
  std::vector<double> newest;               // the newest frame received, for poll
  int64_t received = 0, taken = 0;
  bool last = false, forwarded_last = false;
  std::string error;                        // the side thread's failure, rethrown by poll

  void run() {  // the side thread: one ncclBroadcast per frame, until the last
    try {
      if (cudaSetDevice(device) != cudaSuccess) throw std::runtime_error("cudaSetDevice");
      const size_t bytes = RatioFrame::wire_size(n) * sizeof(double);
      for (int64_t expect = 1;; ++expect) {
        if (root) {
          std::unique_lock lk(mu);
          cv.wait(lk, [&] { return !to_send.empty(); });
          std::memcpy(host, to_send.front().data(), bytes);
          to_send.pop_front();
          lk.unlock();
          if (cudaMemcpyAsync(buf, host, bytes, cudaMemcpyHostToDevice, stream) != cudaSuccess)
            throw std::runtime_error("copy to the device");
        }
        ncclResult_t r = ncclBroadcast(buf, buf, RatioFrame::wire_size(n), ncclFloat64, 0, comm, stream);
        while (r == ncclInProgress) {  // a non-blocking communicator may still be enqueuing
          std::this_thread::yield();
          if (ncclCommGetAsyncError(comm, &r) != ncclSuccess) r = ncclSystemError;
        }
        if (r != ncclSuccess) throw std::runtime_error(std::string("ncclBroadcast: ") + ncclGetErrorString(r));
        if (cudaMemcpyAsync(host, buf, bytes, cudaMemcpyDeviceToHost, stream) != cudaSuccess ||
            cudaStreamSynchronize(stream) != cudaSuccess)
          throw std::runtime_error("copy to the host");
        const RatioFrame f = RatioFrame::decode(host, n, expect);
        std::lock_guard lk(mu);
        newest.assign(host, host + RatioFrame::wire_size(n));
        received = f.seq;
        last = f.last;
        if (f.last) return;
      }
    } catch (const std::exception& e) {
      std::lock_guard lk(mu);
      error = e.what();
      last = true;
    }
  }
  ~Nccl() {
    if (side.joinable()) side.join();
    if (stream) cudaStreamSynchronize(stream);
    if (comm) ncclCommDestroy(comm);
    if (buf) cudaFree(buf);
    if (host) cudaFreeHost(host);
    if (stream) cudaStreamDestroy(stream);
  }
#endif
};

RatioBroadcast::RatioBroadcast(MPI_Comm world, int n, const LocalDevice& dev, int scheduler_rank,
                               bool want_nccl, double init_timeout_s)
    : world_(world), n_(n), scheduler_(scheduler_rank) {
  int size = 0;
  HELM_MPI(MPI_Comm_rank(world, &rank_));
  HELM_MPI(MPI_Comm_size(world, &size));
  const bool worker = rank_ != scheduler_;
  HELM_MPI(MPI_Comm_split(world, worker ? 0 : MPI_UNDEFINED, rank_, &workers_));
  root_world_ = scheduler_ == 0 ? (size > 1 ? 1 : -1) : 0;  // the first worker in world order
  mpi_ = std::make_unique<Mpi>();
  HELM_MPI(MPI_Comm_dup(world, &mpi_->comm));

  // Can this rank do NCCL? Everyone must agree: the largest reason code over all ranks wins
  // (0 = NCCL on every rank), so every rank also reports the same reason.
  static const char* const kWhy[] = {
      "",
      "built without NCCL: MPI_Ibcast from rank 0",
      "backend cpu: MPI_Ibcast from rank 0 (no GPUs to span an NCCL communicator)",
      "HELM_NCCL=0: MPI_Ibcast from rank 0",
      "no worker ranks: MPI_Ibcast from rank 0",
      "a worker has no GPU: MPI_Ibcast from rank 0",
      "more workers than GPUs on a node (NCCL refuses two ranks per GPU): MPI_Ibcast from rank 0",
      "a worker could not set its device or allocate the broadcast buffers: MPI_Ibcast from rank 0",
      "ncclGetUniqueId failed on the NCCL root: MPI_Ibcast from rank 0",
      "ncclCommInitRank failed or timed out on a worker: MPI_Ibcast from rank 0"};
  int code = 0;
#ifndef HELM_HAVE_NCCL
  code = 1;
#endif
  const char* env = std::getenv("HELM_NCCL");
  if (!code && !want_nccl) code = 2;
  if (!code && env && std::strcmp(env, "0") == 0) code = 3;
  if (!code && size < 2) code = 4;
  if (!code && worker && dev.device < 0) code = 5;
  if (!code && worker && dev.oversubscribed) code = 6;
  int all = 0;
  HELM_MPI(MPI_Allreduce(&code, &all, 1, MPI_INT, MPI_MAX, world));
#ifdef HELM_HAVE_NCCL
  auto agree = [&](int mine) {  // every rank reaches each agreement, failed or not
    int any = 0;
    HELM_MPI(MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, world));
    return any;
  };
  if (all == 0) {
    // 1. Local resources first: a rank that cannot set its device never enters NCCL's init
    //    alone while its peers wait there.
    int mine = 0;
    if (worker) {
      impl_ = std::make_unique<Nccl>();
      impl_->device = dev.device;
      impl_->n = n;
      const size_t bytes = RatioFrame::wire_size(n) * sizeof(double);
      const bool ok = cudaSetDevice(dev.device) == cudaSuccess &&
                      cudaStreamCreateWithFlags(&impl_->stream, cudaStreamNonBlocking) == cudaSuccess &&
                      cudaMalloc(reinterpret_cast<void**>(&impl_->buf), bytes) == cudaSuccess &&
                      cudaMallocHost(reinterpret_cast<void**>(&impl_->host), bytes) == cudaSuccess;
      if (!ok) (void)cudaGetLastError();
      mine = ok ? 0 : 7;
    }
    all = agree(mine);
    // 2. The unique id: a failed ncclGetUniqueId is agreed on, never broadcast as a zeroed id.
    ncclUniqueId id;
    std::memset(&id, 0, sizeof id);
    if (all == 0) {
      int wrank = -1;
      if (worker) HELM_MPI(MPI_Comm_rank(workers_, &wrank));
      mine = (wrank == 0 && ncclGetUniqueId(&id) != ncclSuccess) ? 8 : 0;
      all = agree(mine);
      if (all == 0 && worker) HELM_MPI(MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, workers_));
    }
    // 3. Non-blocking init, polled with a deadline: a peer that never arrives cannot hang us.
    if (all == 0) {
      mine = 0;
      if (worker) {
        int wrank = 0, wsize = 0;
        HELM_MPI(MPI_Comm_rank(workers_, &wrank));
        HELM_MPI(MPI_Comm_size(workers_, &wsize));
        ncclConfig_t cfg = NCCL_CONFIG_INITIALIZER;
        cfg.blocking = 0;
        ncclResult_t r = ncclCommInitRankConfig(&impl_->comm, wsize, id, wrank, &cfg);
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::duration<double>(init_timeout_s);
        while (r == ncclInProgress && std::chrono::steady_clock::now() < deadline) {
          nap();
          if (ncclCommGetAsyncError(impl_->comm, &r) != ncclSuccess) r = ncclSystemError;
        }
        if (r != ncclSuccess) {
          if (impl_->comm) ncclCommAbort(impl_->comm);
          impl_->comm = nullptr;
          mine = 9;
        }
      }
      all = agree(mine);
    }
    nccl_ = all == 0;
    if (nccl_ && worker) {
      impl_->root = rank_ == root_world_;
      impl_->side = std::thread([p = impl_.get()] { p->run(); });
    }
    if (!nccl_) impl_.reset();
  }
#endif
  why_ = nccl_ ? "backend cuda, one worker per GPU: ncclBroadcast over the workers' communicator, "
                 "rank 0 hands each frame to its root by MPI_Isend"
               : kWhy[all];
  if (!nccl_ && worker) {  // the first Ibcast posted at once: rank 0's first post completes it
    mpi_->rx.resize(RatioFrame::wire_size(n));
    HELM_MPI(MPI_Ibcast(mpi_->rx.data(), static_cast<int>(mpi_->rx.size()), MPI_DOUBLE, scheduler_,
                         mpi_->comm, &mpi_->rx_req));
  }
}

RatioBroadcast::~RatioBroadcast() {
  // An unfinished run (an error unwinding toward MPI_Abort): a side thread may be blocked in a
  // broadcast that will never come, and MPI forbids freeing a pending collective's request, so
  // both are abandoned rather than waited for.
  const bool unfinished = rank_ != scheduler_ && !done();
#ifdef HELM_HAVE_NCCL
  if (impl_ && unfinished) {
    impl_->side.detach();
    (void)impl_.release();
  }
#endif
  impl_.reset();
  if (unfinished && mpi_ && mpi_->rx_req != MPI_REQUEST_NULL) {
    (void)mpi_.release();
  } else if (mpi_ && mpi_->comm != MPI_COMM_NULL) {
    MPI_Comm_free(&mpi_->comm);
  }
  if (workers_ != MPI_COMM_NULL) MPI_Comm_free(&workers_);
}

void RatioBroadcast::post(const std::vector<double>& ratios, bool last) {
  HELM_CHECK(rank_ == scheduler_, "ratio broadcast: post on worker rank {}", rank_);
  HELM_CHECK(static_cast<int>(ratios.size()) == n_, "{} ratios for a vector of {}", ratios.size(), n_);
  mpi_->bufs.push_back(mpi_->seq.next(ratios, last).encode());
  mpi_->reqs.push_back(MPI_REQUEST_NULL);
  auto& b = mpi_->bufs.back();
  if (nccl_)
    HELM_MPI(MPI_Isend(b.data(), static_cast<int>(b.size()), MPI_DOUBLE, root_world_, kTag, world_,
                        &mpi_->reqs.back()));
  else
    HELM_MPI(MPI_Ibcast(b.data(), static_cast<int>(b.size()), MPI_DOUBLE, scheduler_, mpi_->comm,
                         &mpi_->reqs.back()));
  mpi_->reap();
}

bool RatioBroadcast::poll(std::vector<double>& ratios) {
  if (rank_ == scheduler_) {
    mpi_->reap();
    return false;
  }
  const size_t wire = RatioFrame::wire_size(n_);
  if (!nccl_) {
    bool got = false;
    while (mpi_->rx_req != MPI_REQUEST_NULL) {
      int flag = 0;
      HELM_MPI(MPI_Test(&mpi_->rx_req, &flag, MPI_STATUS_IGNORE));
      if (!flag) break;
      const RatioFrame f = RatioFrame::decode(mpi_->rx.data(), n_, mpi_->received + 1);
      mpi_->received = f.seq;
      mpi_->last = f.last;
      ratios = f.ratios;
      got = true;
      if (f.last) break;  // no more collectives: exactly as many as rank 0 posted
      HELM_MPI(MPI_Ibcast(mpi_->rx.data(), static_cast<int>(wire), MPI_DOUBLE, scheduler_, mpi_->comm,
                           &mpi_->rx_req));
    }
    return got;
  }
#ifdef HELM_HAVE_NCCL
  Nccl& c = *impl_;
  if (c.root) {  // forward what rank 0 sent to the side thread (MPI stays on this thread)
    for (;;) {
      int flag = 0;
      MPI_Status st;
      HELM_MPI(MPI_Iprobe(scheduler_, kTag, world_, &flag, &st));
      if (!flag) break;
      std::vector<double> f(wire);
      HELM_MPI(MPI_Recv(f.data(), static_cast<int>(wire), MPI_DOUBLE, scheduler_, kTag, world_, MPI_STATUS_IGNORE));
      const bool last = f[1] != 0.0;
      {
        std::lock_guard lk(c.mu);
        c.to_send.push_back(std::move(f));
      }
      c.cv.notify_one();
      if (last) c.forwarded_last = true;
    }
  }
  std::lock_guard lk(c.mu);
  if (!c.error.empty()) throw std::runtime_error("ratio broadcast: " + c.error);
  if (c.received == c.taken) return false;
  c.taken = c.received;
  ratios.assign(c.newest.begin() + 2, c.newest.end());
  return true;
#else
  return false;
#endif
}

bool RatioBroadcast::done() const {
  if (rank_ == scheduler_) return mpi_->seq.closed() && mpi_->reqs.empty();
  if (!nccl_) return mpi_->last;
#ifdef HELM_HAVE_NCCL
  std::lock_guard lk(impl_->mu);
  return impl_->last;
#else
  return false;
#endif
}

int64_t RatioBroadcast::frames() const {
  if (rank_ == scheduler_) return mpi_->seq.posted();
  if (!nccl_) return mpi_->received;
#ifdef HELM_HAVE_NCCL
  std::lock_guard lk(impl_->mu);
  return impl_->received;
#else
  return 0;
#endif
}

void RatioBroadcast::finish() {
  std::vector<double> sink;
  if (rank_ == scheduler_) {
    HELM_CHECK(mpi_->seq.closed(), "ratio broadcast: finish before the last frame was posted");
    while (!mpi_->reqs.empty()) {
      mpi_->reap();
      if (!mpi_->reqs.empty()) nap();
    }
    return;
  }
  while (!done()) {
    poll(sink);
    if (!done()) nap();
  }
  poll(sink);  // rethrows a side thread's error
#ifdef HELM_HAVE_NCCL
  if (impl_ && impl_->side.joinable()) impl_->side.join();
#endif
}

}  // namespace helm
