/* Mount the chat on its page (chat.html) or beside a video's player (video.html: the script tag
   carries data-video-id). A file, not an inline script: the Content-Security-Policy allows none. */
(() => {
  const chat = document.getElementById("chat");
  const videoId = document.currentScript.dataset.videoId;
  if (videoId) ChronosChat.mountVideo(chat, document.getElementById("player"), Number(videoId));
  else ChronosChat.mountPage(chat);
})();
