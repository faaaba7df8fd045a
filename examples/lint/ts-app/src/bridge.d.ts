// The Connect bridge the host page injects; declarations only, lint skips this file.
declare const AP: {
  request(options: { url: string; type?: 'GET' | 'POST' | 'PUT' | 'DELETE'; data?: string; contentType?: string }): Promise<{ body: string }>
}
